// Package admin holds the parts of the kiosk's staff mode that need no
// screen: the PIN (hashing, verification, the hash-pin command), the
// lockout after wrong PINs, and the idle timer that leaves admin mode.
//
// # PIN hashes
//
// The config holds only a slow hash of the PIN, in the PHC string form:
//
//	$argon2id$v=19$m=65536,t=1,p=4$<salt>$<hash>
//
// with salt and hash in unpadded standard base64. DefaultParams (64 MiB,
// one pass, four lanes: RFC 9106's memory-bound choice, scaled down) take
// about 0.1 s on a desktop x86-64 core and an estimated 0.2–0.4 s on a
// Raspberry Pi 4, whose four cores run the four lanes in parallel; measure
// on the target with `go test -bench Verify ./internal/phc` (the hashing is
// internal/phc's, shared with the hub's staff passwords). A PIN has few
// digits, so the hash slows an attacker who copied the config; the lockout
// is what protects the touchscreen. Verify also accepts scrypt hashes,
// $scrypt$ln=15,r=8,p=1$<salt>$<hash>, for configs written by other tools.
//
// # Lockout
//
// Five wrong PINs lock admin mode for five minutes; each further lock
// without a right PIN in between lasts twice as long, up to a day (a
// 4-digit PIN then takes years to guess at the screen, not 3.5 days), and
// `wufang-kiosk hash-pin` makes PINs of at least 6 digits. The count, the
// locks in a row and the end of the lock are kept in
// data_dir/admin-lock.json (written atomically), so restarting or
// power-cycling the kiosk neither clears the count nor lifts the lock.
//
// # Leaving
//
// Admin mode leaves by itself after two minutes without input: Idle calls
// back once when its clock has passed that long since the last Touch.
package admin
