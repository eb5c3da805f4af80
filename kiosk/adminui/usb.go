package adminui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/wufang-kiosk/wufang/content"
)

// Where packs are looked for on a stick.
const (
	// usbDepth is how many folders deep under the USB root a pack is found:
	// /media/<user>/<stick>/<folder>/x.wfpack is 4.
	usbDepth = 4
	// maxDirs bounds the walk over a stick full of other files.
	maxDirs = 2000
	// maxListed is the most packs listed.
	maxListed = 40
)

// usbView is what the Install screen knows.
type usbView struct {
	scanning bool
	files    []packFile
	more     bool // more packs than listed
	err      error
	// gen counts scans: the previews of an earlier scan are dropped.
	gen int
	// checks are the previews of files, in the same order; nil until the
	// pack is checked.
	checks []*preview
	// chosen is the pack on the confirmation screen; -1 shows the list.
	chosen     int
	installing string  // the file being installed
	result     *result // the last install's outcome, until staff go back to the list
}

type packFile struct {
	path, rel string
	size      int64
}

// preview is what a pack on a stick would do if installed: read, its
// signature verified and its content validated by content's own reader,
// Verify and Check, against the installer's keys and app version, before
// anything is installed. Install checks everything again.
type preview struct {
	id, version, minApp string
	title               content.Text
	signer              content.Signer
	signed              bool // the signature was checked (good or not)
	// vs is the pack against the one showing (named by showing): newer,
	// same, older, or another pack.
	vs, showing string
	// warnings and errs are the validation problems.
	warnings, errs content.Problems
	// refused says why Install would refuse the pack; nil: it installs.
	refused error
}

// installs reports whether the pack passed every check.
func (p *preview) installs() bool { return p.refused == nil }

// scanUSB looks for packs under the USB root off the Fyne goroutine, then
// checks them one by one.
func (a *Admin) scanUSB() {
	u := &a.usb
	if a.opts.Packs == nil || u.scanning || u.installing != "" {
		return
	}
	u.gen++
	a.checkGen.Store(int64(u.gen))
	u.scanning, u.result, u.chosen, u.checks = true, nil, -1, nil
	gen := u.gen
	root := a.opts.USBRoot
	var (
		files []packFile
		more  bool
		err   error
	)
	a.goSafe("scan usb", func() {
		files, more, err = findPacks(root)
	}, func() {
		if gen != u.gen {
			return
		}
		u.scanning, u.files, u.more, u.err = false, files, more, err
		u.checks = make([]*preview, len(files))
		if err != nil {
			a.log.Warn("admin: reading the USB root", "root", root, "err", err)
		}
		if len(files) > 0 {
			a.checkPacks(gen, files)
		}
		if a.page == "usb" {
			a.render()
		}
	})
}

// checkPacks previews files one at a time on its own goroutine (a pack is
// read into memory to be checked; one at a time keeps that to the largest
// pack), posting each preview as it is ready.
func (a *Admin) checkPacks(gen int, files []packFile) {
	pk := a.opts.Packs
	trust := trustOf(pk)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				a.log.Error("admin: panic checking packs", "panic", fmt.Sprint(r))
			}
		}()
		showing, installed := showingPack(pk)
		for i, f := range files {
			if a.checkGen.Load() != int64(gen) {
				return // a new scan, or admin mode left
			}
			pv := previewPack(f.path, trust, showing, installed)
			a.post(func() {
				a.guard("preview", func() {
					u := &a.usb
					if gen != u.gen || i >= len(u.checks) {
						return
					}
					u.checks[i] = pv
					if a.page == "usb" && a.confirm == nil {
						a.render()
					}
				})
			})
		}
	}()
}

// trust is what a pack is checked against: the installer's own settings,
// so that the preview says what Install will say.
type trust struct {
	keys          []content.PublicKey
	keysErr       error
	allowUnsigned bool
	app           string
	known         bool // the settings are the installer's
}

func trustOf(pk Packs) trust {
	in, ok := pk.(*content.Installer)
	if !ok {
		return trust{}
	}
	t := trust{allowUnsigned: in.AllowUnsigned, app: in.AppVersion, known: true}
	t.keys, t.keysErr = content.ParsePublicKeys(in.TrustedKeys)
	return t
}

// showingPack is the pack visitors see: the installed one (even when it
// cannot be loaded: Install compares with it), else the built-in one.
func showingPack(pk Packs) (info content.Info, installed bool) {
	_, _, info, err := pk.Active()
	if errors.Is(err, content.ErrNoPack) || info.ID == "" {
		return builtinInfo(), false
	}
	return info, true
}

// previewPack reads and checks the pack at path with content's reader,
// signature check and validator, in the order Install uses; it goes on
// after a failed check where it can, so staff see what the pack is.
func previewPack(path string, t trust, showing content.Info, installed bool) *preview {
	pv := &preview{showing: showing.ID + " " + showing.Version}
	if !installed {
		pv.showing += " (内置 built-in)"
	}
	refuse := func(err error) {
		if pv.refused == nil {
			pv.refused = err
		}
	}
	if !t.known {
		refuse(errors.New("this kiosk cannot check packs before installing them"))
	}
	if t.keysErr != nil {
		refuse(fmt.Errorf("content.trusted_keys: %w", t.keysErr))
	}
	w, err := content.OpenWfpack(path)
	if err != nil {
		refuse(err)
		return pv
	}
	signer, verr := w.Verify(t.keys, t.allowUnsigned)
	pv.signer, pv.signed = signer, true
	if verr != nil {
		refuse(verr)
	}
	p, probs := content.Check(w.FS)
	pv.warnings, pv.errs = probs.Warnings(), probs.Errors()
	if p == nil {
		refuse(fmt.Errorf("%w: pack.yaml cannot be read: %v", content.ErrInvalid, probs))
		return pv
	}
	pv.id, pv.version, pv.title, pv.minApp = p.ID, p.Version, p.Title, p.MinAppVersion
	if len(pv.errs) > 0 {
		refuse(fmt.Errorf("%w: %d problem(s) must be fixed first, the first: %s", content.ErrInvalid, len(pv.errs), pv.errs[0]))
	}
	if err := content.CheckAppVersion(p, t.app); err != nil {
		refuse(err)
	}
	c, cerr := content.CompareVersions(p.Version, showing.Version)
	switch {
	case p.ID != showing.ID:
		pv.vs = "other"
	case cerr != nil:
		pv.vs = "?"
	case c > 0:
		pv.vs = "newer"
	case c == 0:
		pv.vs = "same"
	default:
		pv.vs = "older"
		if installed { // Install refuses a lower version of the installed pack
			refuse(fmt.Errorf("%w: %s %s is older than the active %s; to go back to it, roll back on the Content screen (when it is the previous pack), or install it with wufang-pack install --allow-downgrade", content.ErrDowngrade, p.ID, p.Version, showing.Version))
		}
	}
	return pv
}

// vsText says how a pack compares with the one showing.
func vsText(pv *preview) string {
	showing := pv.showing
	switch pv.vs {
	case "newer":
		return "较新 Newer than the active " + showing
	case "same":
		return "相同 Same version as the active one (installs it again)"
	case "older":
		return "较旧 Older than the active " + showing
	case "other":
		return "另一个内容包 Another pack: replaces " + showing
	}
	return "版本无法比较 The versions cannot be compared (active " + showing + ")"
}

// checkText is the validation result in a line.
func checkText(pv *preview) string {
	switch {
	case len(pv.errs) > 0:
		return fmt.Sprintf("%d 个错误 error(s): %s", len(pv.errs), pv.errs[0])
	case len(pv.warnings) > 0:
		return fmt.Sprintf("检查通过，%d 条警告 Checks passed, %d warning(s): %s", len(pv.warnings), len(pv.warnings), pv.warnings[0])
	case pv.id == "":
		return "无法检查 Not checked"
	}
	return "检查通过 Checks passed"
}

// findPacks lists the .wfpack files under root, at most usbDepth folders
// deep, skipping hidden folders and macOS's "._" shadow files.
func findPacks(root string) (files []packFile, more bool, err error) {
	if root == "" {
		return nil, false, errors.New("no USB root is configured (content.usb_root)")
	}
	dirs := 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return err
			}
			return nil // an unreadable folder on a stick: skip it
		}
		rel, _ := filepath.Rel(root, p)
		depth := 0
		if rel != "." {
			depth = strings.Count(rel, string(filepath.Separator)) + 1
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || name == "System Volume Information") {
				return filepath.SkipDir
			}
			if dirs++; depth >= usbDepth || dirs > maxDirs {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || strings.HasPrefix(name, "._") || !strings.EqualFold(filepath.Ext(name), content.Extension) {
			return nil
		}
		var size int64
		if fi, err := d.Info(); err == nil {
			size = fi.Size()
		}
		files = append(files, packFile{path: p, rel: rel, size: size})
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("find packs: %w", err)
	}
	slices.SortFunc(files, func(a, b packFile) int { return strings.Compare(a.rel, b.rel) })
	if len(files) > maxListed {
		files, more = files[:maxListed], true
	}
	return files, more, nil
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

func (a *Admin) usbPage() fyne.CanvasObject {
	if a.opts.Packs == nil {
		return para("此设备不能安装内容包  Content packs cannot be installed on this device.", 200)
	}
	u := &a.usb
	again := a.tall(a.button("重新查找 Search again", a.scanUSB))
	switch {
	case u.installing != "":
		return para("正在安装 Installing "+filepath.Base(u.installing)+" …\n检查签名和每个文件 Checking the signature and every file.", 200)
	case u.scanning:
		return widget.NewLabel("正在查找 Searching " + a.opts.USBRoot + " …")
	case u.err != nil:
		return container.NewVBox(para("无法读取U盘 The USB stick cannot be read: "+u.err.Error(), 200), again)
	case len(u.files) == 0:
		return container.NewVBox(
			para(fmt.Sprintf("没有找到内容包 No .wfpack file found under %s (up to %d folders deep). 插入U盘，等几秒，再查找。Insert the stick, wait a few seconds and search again.", a.opts.USBRoot, usbDepth), 240),
			again)
	case u.chosen >= 0 && u.chosen < len(u.files):
		return a.packScreen(u.chosen)
	}
	items := make([]fyne.CanvasObject, len(u.files))
	for i, f := range u.files {
		items[i] = a.packCard(f, u.checks[i], i)
	}
	note := "先查看，再安装 Look first, then install: 点一个内容包 tap a pack"
	if u.more {
		note += fmt.Sprintf(" (first %d shown)", maxListed)
	}
	header := container.NewBorder(nil, nil, nil, again, truncated(note))
	return a.paged(header, items)
}

// packCard is one pack of the list: what it is, how it compares, who
// signed it, whether it passed the checks, and a button to look closer.
func (a *Admin) packCard(f packFile, pv *preview, i int) fyne.CanvasObject {
	name := filepath.Base(f.rel)
	var lines []string
	colour := rowColour
	label := "查看 View"
	switch {
	case pv == nil:
		lines = []string{name + "   " + sizeText(f.size), "正在检查… Checking…", ""}
	default:
		first := name
		if pv.id != "" {
			first = titleOf(pv.title, pv.id, pv.version) + "   " + name
		}
		var second []string
		if pv.id != "" {
			second = append(second, vsText(pv))
		}
		if pv.signed {
			second = append(second, signerText(pv.signer))
		}
		third := "✓ " + checkText(pv)
		if !pv.installs() {
			colour = badColour
			third = "× 不能安装 Cannot be installed: " + refusal(pv.refused)
		} else {
			label = "安装… Install…"
		}
		lines = []string{first, strings.Join(second, " · "), third}
	}
	labels := make([]fyne.CanvasObject, len(lines))
	for j, l := range lines {
		labels[j] = truncated(l)
	}
	b := a.button(label, func() { a.choose(i) })
	if pv != nil && pv.installs() {
		b.Importance = widget.HighImportance
	}
	return band(colour, container.NewBorder(nil, nil, nil, a.tall(b), container.NewVBox(labels...)))
}

// truncated is a one-line label cut with "…".
func truncated(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// choose shows pack i's confirmation screen.
func (a *Admin) choose(i int) {
	a.usb.chosen, a.usb.result = i, nil
	a.holdAnswers()
	a.render()
}

// backToList leaves the confirmation screen.
func (a *Admin) backToList() {
	a.usb.chosen, a.usb.result = -1, nil
	a.render()
}

// packScreen is pack i in full, with the install behind one more tap; a
// pack that cannot be installed says why and what to do instead.
func (a *Admin) packScreen(i int) fyne.CanvasObject {
	u := &a.usb
	f, pv := u.files[i], u.checks[i]
	back := a.button("返回列表 Back to the list", a.backToList)
	if u.result != nil {
		// After an install the list is read and checked again: the
		// comparisons are with the pack that shows now.
		return a.resultView(u.result, a.button("返回列表 Back to the list", a.scanUSB))
	}
	if pv == nil {
		return container.NewBorder(nil, a.tall(back), nil, nil, widget.NewLabel("正在检查 Checking "+filepath.Base(f.rel)+" …"))
	}
	file := a.field("文件 File", f.rel+"   "+sizeText(f.size))
	rows := []fyne.CanvasObject{
		band(rowColour, a.field("内容包 Pack", titleOf(pv.title, pv.id, pv.version))),
		a.field("版本 Version", pv.version+"  "+vsText(pv)),
		a.field("签名 Signed by", signerText(pv.signer)),
		a.field("检查 Checks", checkText(pv)),
		file,
	}
	switch {
	case !pv.signed: // not even read as a pack
		rows = []fyne.CanvasObject{band(rowColour, file)}
	case pv.id == "": // read and its signature checked, but no pack.yaml
		rows = []fyne.CanvasObject{band(rowColour, file), rows[2], rows[3]}
	}
	switch {
	case pv.minApp == "":
	case a.narrow():
		rows = append(rows, a.field("应用版本 App version", "本机 This app "+a.appVersion()+" · 需要 needs "+pv.minApp+"+"))
	default:
		rows = append(rows,
			a.field("本机应用 This app", a.appVersion()),
			a.field("需要 Pack needs", "wufang "+pv.minApp+" 或更高 or later (min_app_version)"))
	}
	var buttons fyne.CanvasObject
	if pv.installs() {
		yes := a.answer(a.primary("安装 Install "+pv.id+" "+pv.version, func() { a.install(f) }))
		buttons = container.New(minHeight(2*a.m.touch), container.New(cols{0.5, 0.5}, back, yes))
		q := para("安装这个内容包？ Install this pack? 访客会立即看到它 Visitors get it at once.", 120)
		q.TextStyle.Bold = true
		rows = append([]fyne.CanvasObject{q}, rows...)
	} else {
		buttons = a.tall(back)
		rows = append(rows, band(badColour, para("不能安装 Cannot be installed: "+refusal(pv.refused)+"\n"+whatToDo(pv.refused), 300)))
	}
	return container.NewBorder(nil, buttons, nil, nil, container.NewVBox(rows...))
}

// field is a name and its value: side by side, or the value under its name
// where the page is narrow (portrait on the 7" panel).
func (a *Admin) field(name, value string) fyne.CanvasObject {
	if a.narrow() {
		return container.NewVBox(heading(name), truncated(value))
	}
	return row(cols{0.25, 0.75}, name, value)
}

// narrow is a page too narrow for a name and its value on one line.
func (a *Admin) narrow() bool { return a.body.Width < 40*a.m.text }

// appVersion is the app's version as the installer checks it.
func (a *Admin) appVersion() string {
	if t := trustOf(a.opts.Packs); t.known {
		return t.app
	}
	return a.opts.AppVersion
}

// appText puts the app's version beside the pack's min_app_version.
func appText(app, min string) string {
	if app == "" {
		app = "?"
	}
	return fmt.Sprintf("本机 This device runs %s; 内容包需要 the pack needs %s or later", app, min)
}

// whatToDo is the refusal's own sentence, which says what to do, without
// the prefixes that name the step and the kind of refusal (refusal says
// that in plain words).
func whatToDo(err error) string {
	s := strings.TrimPrefix(err.Error(), "install pack: ")
	for _, e := range []error{content.ErrNotPack, content.ErrUnsafePath, content.ErrLink, content.ErrDuplicate,
		content.ErrTooManyFiles, content.ErrTooLarge, content.ErrFileTooLarge, content.ErrCompressionBomb,
		content.ErrImageBomb, content.ErrNotUTF8, content.ErrFileType, content.ErrUnsigned, content.ErrUnknownKey,
		content.ErrBadSignature, content.ErrInvalid, content.ErrAppTooOld, content.ErrDowngrade} {
		if t, ok := strings.CutPrefix(s, e.Error()+": "); ok && errors.Is(err, e) {
			return t
		}
	}
	return s
}

func (a *Admin) resultView(r *result, back fyne.CanvasObject) fyne.CanvasObject {
	c := okColour
	if !r.ok {
		c = badColour
	}
	objs := []fyne.CanvasObject{band(c, para(r.title, 120))}
	for _, l := range r.lines {
		objs = append(objs, para(l, 240))
	}
	return container.NewBorder(nil, a.tall(back), nil, nil, container.NewVBox(objs...))
}

// install installs f off the Fyne goroutine and, when it worked, makes the
// new pack live. It is only reached from a pack's confirmation screen.
func (a *Admin) install(f packFile) {
	pk := a.opts.Packs
	if pk == nil || a.usb.installing != "" {
		return
	}
	var minApp string
	if i := a.usb.chosen; i >= 0 && i < len(a.usb.checks) && a.usb.checks[i] != nil {
		minApp = a.usb.checks[i].minApp
	}
	a.usb.installing, a.usb.result = f.path, nil
	a.log.Info("admin: installing a pack from USB", "file", f.path)
	a.render()
	var (
		res  content.Result
		err  error
		fsys fs.FS
		p    *content.Pack
		live content.Info
		lerr error
	)
	a.goSafe("install", func() {
		ctx, cancel := context.WithTimeout(context.Background(), installTimeout)
		defer cancel()
		res, err = pk.Install(ctx, f.path, content.InstallOptions{})
		if err == nil {
			fsys, p, live, lerr = pk.Active()
		}
	}, func() {
		a.usb.installing = ""
		r := &result{}
		switch {
		case err != nil:
			a.log.Warn("admin: pack refused", "file", f.path, "err", err)
			r.title = "未安装 Not installed: " + refusal(err)
			r.lines = append(r.lines, whatToDo(err))
			if errors.Is(err, content.ErrAppTooOld) && minApp != "" {
				r.lines = append(r.lines, appText(a.appVersion(), minApp))
			}
			errs := res.Problems.Errors()
			for i, pr := range errs {
				if i == 3 {
					r.lines = append(r.lines, fmt.Sprintf("… %d more problems (wufang-pack validate lists them all)", len(errs)-3))
					break
				}
				if i > 0 || !strings.Contains(err.Error(), pr.String()) {
					r.lines = append(r.lines, pr.String())
				}
			}
			r.lines = append(r.lines, "当前内容不变 The active pack is unchanged.")
		case lerr != nil || p == nil:
			a.log.Error("admin: installed pack cannot be loaded", "err", lerr)
			r.title = "已安装但无法加载 Installed, but it cannot be loaded"
			r.lines = []string{fmt.Sprint(lerr), "重启应用或回滚 Restart the app or roll back."}
		default:
			a.log.Info("admin: pack installed", "pack", live.ID, "version", live.Version)
			a.makeLive(fsys, p, live)
			r.ok = true
			r.title = "已安装，正在展示 Installed and showing: " + packTitle(live)
			r.lines = append(r.lines, "签名 Signed by: "+signerText(live.Signer))
			if res.Previous != nil {
				r.lines = append(r.lines, "可回滚到 Roll back to (Content): "+res.Previous.ID+" "+res.Previous.Version)
			}
			if ws := res.Problems.Warnings(); len(ws) > 0 {
				r.lines = append(r.lines, fmt.Sprintf("%d 条警告 warning(s), the first: %s", len(ws), ws[0]))
			}
		}
		a.usb.result = r
		a.packView = packView{} // read again on the Content screen
		a.loadPacks()
		a.idle.Touch() // two minutes to read the outcome
		if a.page == "usb" {
			a.render()
		}
	})
}

// refusal says in a few words why a pack was refused.
func refusal(err error) string {
	switch {
	case errors.Is(err, content.ErrDowngrade):
		return "版本比当前的旧 older than the active pack"
	case errors.Is(err, content.ErrUnsigned):
		return "没有签名 the pack is not signed"
	case errors.Is(err, content.ErrUnknownKey):
		return "签名密钥不受信任 signed by a key this kiosk does not trust"
	case errors.Is(err, content.ErrBadSignature):
		return "签名或校验不符 damaged or changed since it was signed"
	case errors.Is(err, content.ErrInvalid):
		return "内容有错误 the pack has errors"
	case errors.Is(err, content.ErrAppTooOld):
		return "需要更新应用 it needs a newer app version"
	case errors.Is(err, content.ErrNotPack):
		return "不是内容包 not a content pack, or damaged"
	case errors.Is(err, content.ErrUnsafePath), errors.Is(err, content.ErrLink), errors.Is(err, content.ErrDuplicate),
		errors.Is(err, content.ErrTooManyFiles), errors.Is(err, content.ErrTooLarge), errors.Is(err, content.ErrFileTooLarge),
		errors.Is(err, content.ErrCompressionBomb), errors.Is(err, content.ErrImageBomb), errors.Is(err, content.ErrNotUTF8),
		errors.Is(err, content.ErrFileType):
		return "含有不安全或过大的文件 unsafe or oversized files"
	}
	return "安装失败 the install failed"
}
