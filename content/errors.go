package content

import "errors"

// Errors returned (wrapped, with a sentence saying what to do) by the
// .wfpack reader, the signature check and the installer. Callers use
// errors.Is; the message of the wrapping error is what staff read.
var (
	// ErrNotPack: the file is not a .wfpack (not a zip, or damaged).
	ErrNotPack = errors.New("not a content pack")
	// ErrUnsafePath: an entry's name escapes the pack folder (.., absolute, \).
	ErrUnsafePath = errors.New("unsafe path")
	// ErrLink: an entry is a symbolic link or another special file.
	ErrLink = errors.New("link in pack")
	// ErrDuplicate: two entries have the same name.
	ErrDuplicate = errors.New("duplicate file")
	// ErrTooManyFiles: more than MaxFiles entries.
	ErrTooManyFiles = errors.New("too many files")
	// ErrTooLarge: more than MaxUnpacked bytes in all.
	ErrTooLarge = errors.New("pack too large")
	// ErrFileTooLarge: one file over MaxFileBytes.
	ErrFileTooLarge = errors.New("file too large")
	// ErrCompressionBomb: a file unpacks to far more than its compressed size,
	// or to more than it declares.
	ErrCompressionBomb = errors.New("compression bomb")
	// ErrImageBomb: an image's header declares more pixels than allowed.
	ErrImageBomb = errors.New("image too large")
	// ErrNotUTF8: a text file (YAML, SVG, SHA256SUMS) is not UTF-8.
	ErrNotUTF8 = errors.New("not UTF-8")
	// ErrFileType: a file of a type a pack does not hold.
	ErrFileType = errors.New("file type not allowed")

	// ErrUnsigned: the pack has no signature and unsigned packs are not allowed.
	ErrUnsigned = errors.New("unsigned pack")
	// ErrUnknownKey: signed by a key that is not in content.trusted_keys.
	ErrUnknownKey = errors.New("unknown signing key")
	// ErrBadSignature: the signature or a checksum does not match.
	ErrBadSignature = errors.New("bad signature")

	// ErrInvalid: the pack has validation errors (see Problems).
	ErrInvalid = errors.New("invalid pack")
	// ErrAppTooOld: the pack's min_app_version is above this app's version.
	ErrAppTooOld = errors.New("app too old for pack")
	// ErrDowngrade: a lower version of the active pack, without AllowDowngrade.
	ErrDowngrade = errors.New("lower version")
	// ErrNoPack: nothing installed (the kiosk then uses the built-in pack).
	ErrNoPack = errors.New("no pack installed")
	// ErrNotOffered: the file holds another pack than the one it was
	// offered as (InstallOptions.ExpectID, ExpectVersion).
	ErrNotOffered = errors.New("not the offered pack")
	// ErrNoPrevious: nothing to roll back to.
	ErrNoPrevious = errors.New("no previous pack")
)
