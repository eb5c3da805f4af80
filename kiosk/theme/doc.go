// Package theme is the kiosk's Fyne theme: a bundled Simplified Chinese
// font (a GB2312-plus subset of Noto Sans CJK SC, so Chinese never renders
// as boxes whatever fonts the machine has), big text and padding for a 7"
// 800×480 touchscreen, a colour per module taken from the content pack, a
// large-text mode and a high-contrast mode.
//
// It imports only fyne.io/fyne/v2 and its theme package, never the app or a
// driver, so it builds without cgo.
//
// # Font
//
// fonts/NotoSansSC-{Regular,Bold}.otf are made by build/make-font.sh from
// Debian's fonts-noto-cjk; they cover all of GB2312 plus Latin, punctuation
// and full-width forms, and every character of the content packs in the
// repository when the script last ran. fonts/OFL.txt is their licence. The
// tests fail, naming the characters, when a pack uses one the font lacks.
//
// # Sizes
//
// The base text size suits 800×480 at scale 1; the kiosk scales the whole
// canvas for larger screens (FYNE_SCALE or the window's scale), so sizes here
// are in Fyne's device-independent units. Options.Scale multiplies text
// sizes only (large-text mode), never padding or touch targets, so layouts
// keep their shape.
package theme
