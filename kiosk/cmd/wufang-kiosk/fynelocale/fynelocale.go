// Package fynelocale gives Fyne a locale it can parse when the environment
// names none. Fyne reads LC_ALL, LC_MESSAGES, LANG and LANGUAGE (through
// go-locale) in the init of its lang package and logs "Error parsing user
// locale C" for C.UTF-8, Debian's default in containers and minimal
// installs (fyne issue #5271): a newcomer's first sight of the kiosk was an
// error. Import it for its init, before anything of Fyne's.
//
// The order is the language's, not luck: Go initialises, among the packages
// whose imports are done, the one first by import path. This package imports
// only os, strings and go-locale, while fyne.io/fyne/v2/lang waits for
// golang.org/x/text, which sorts after github.com/wufang-kiosk: so this
// init runs first. It must therefore not import x/text (or Fyne) itself.
// wufang-kiosk's TestNoLocaleErrorAtStart runs the built kiosk under
// LANG=C.UTF-8 and fails if Fyne still logs the error.
package fynelocale

import (
	"os"
	"strings"

	locale "github.com/jeandeaual/go-locale"
)

// Locale is the locale Fyne is given when the environment names none: it
// picks the translations of Fyne's own few strings (the kiosk's are its
// own, in both languages).
const Locale = "en_US.UTF-8"

// Changed lists the environment variables the init changed, for the log.
var Changed []string

func init() { Changed = Set() }

// Set gives Fyne a locale when it would find none it can parse. It sets
// LC_MESSAGES, which only names the language of messages, unless LC_ALL
// overrides it: then LC_ALL's value moves to LANG, so the other categories
// keep it. It returns the variables it changed.
func Set() []string {
	if Parses() {
		return nil
	}
	var set []string
	if all := os.Getenv("LC_ALL"); all != "" {
		os.Unsetenv("LC_ALL")
		os.Setenv("LANG", all)
		set = append(set, "LC_ALL", "LANG="+all)
	}
	os.Setenv("LC_MESSAGES", Locale)
	set = append(set, "LC_MESSAGES="+Locale)
	if !Parses() {
		// LANGUAGE lists something else unparsable: Fyne reads it first.
		os.Unsetenv("LANGUAGE")
		set = append(set, "LANGUAGE")
	}
	return set
}

// Parses reports whether Fyne finds a locale in the environment and every
// one it finds starts with a language subtag (2 to 8 letters, BCP 47):
// what makes Fyne's language.Parse fail is the bare C or POSIX go-locale
// hands on. (x/text's parser itself cannot be used here; see the package
// documentation.)
func Parses() bool {
	all, err := locale.GetLocales()
	if err != nil || len(all) == 0 {
		return false // Fyne falls back to en without a word; set it anyway
	}
	for _, l := range all {
		lang, _, _ := strings.Cut(l, "-")
		if len(lang) < 2 || len(lang) > 8 || strings.IndexFunc(lang, func(r rune) bool {
			return (r < 'a' || r > 'z') && (r < 'A' || r > 'Z')
		}) >= 0 {
			return false
		}
	}
	return true
}
