package theme

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

var (
	//go:embed fonts/NotoSansSC-Regular.otf
	regularOTF []byte
	//go:embed fonts/NotoSansSC-Bold.otf
	boldOTF []byte
)

// Regular and Bold are the bundled faces: Noto Sans CJK SC, subset by
// build/make-font.sh (SIL Open Font License 1.1, fonts/OFL.txt).
var (
	Regular fyne.Resource = fyne.NewStaticResource("NotoSansSC-Regular.otf", regularOTF)
	Bold    fyne.Resource = fyne.NewStaticResource("NotoSansSC-Bold.otf", boldOTF)
)
