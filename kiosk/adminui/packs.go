package adminui

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"io/fs"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

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
	// packsPerPage fit 800×480.
	packsPerPage = 5
	// installTimeout bounds an install from a slow stick.
	installTimeout = 5 * time.Minute
)

var (
	okColour  = color.NRGBA{0x1b, 0x5e, 0x32, 0xff}
	badColour = faultColour
)

// packView is what the Content screen knows.
type packView struct {
	loading   bool
	active    content.Info
	activeErr error
	prev      content.Info
	prevErr   error
	busy      bool   // a rollback is running
	outcome   string // what the last rollback did
	outcomeOK bool
}

// usbView is what the Install screen knows.
type usbView struct {
	scanning   bool
	files      []packFile
	more       bool // more packs than listed
	err        error
	installing string  // the file being installed
	result     *result // the last install's outcome, until staff go back to the list
}

type packFile struct {
	path, rel string
	size      int64
}

type result struct {
	ok    bool
	title string
	lines []string
}

// goSafe runs f on its own goroutine; a panic is logged, and done (if not
// nil) still runs on the Fyne goroutine so the screen does not hang.
func (a *Admin) goSafe(what string, f func(), done func()) {
	go func() {
		func() {
			defer func() {
				if r := recover(); r != nil {
					a.log.Error("admin: panic", "in", what, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				}
			}()
			f()
		}()
		if done != nil {
			a.post(func() { a.guard(what, done) })
		}
	}()
}

// openContent forgets the last rollback's outcome and reads the packs.
func (a *Admin) openContent() {
	a.packView.outcome = ""
	a.loadPacks()
}

// loadPacks reads the active and previous pack off the Fyne goroutine.
func (a *Admin) loadPacks() {
	pk := a.opts.Packs
	if pk == nil || a.packView.loading {
		return
	}
	a.packView.loading = true
	var v packView
	a.goSafe("read packs", func() {
		_, _, v.active, v.activeErr = pk.Active()
		v.prev, v.prevErr = pk.Previous()
	}, func() {
		a.packView.loading = false
		a.packView.active, a.packView.activeErr = v.active, v.activeErr
		a.packView.prev, a.packView.prevErr = v.prev, v.prevErr
		if a.page == "content" {
			a.render()
		}
	})
}

// packTitle is "title (id version)".
func packTitle(i content.Info) string {
	name := i.ID + " " + i.Version
	t := i.Title["zh-CN"]
	if en := i.Title["en"]; en != "" && en != t {
		t = strings.TrimSpace(t + " / " + en)
	}
	if t == "" {
		for _, v := range i.Title {
			t = v
			break
		}
	}
	if t == "" {
		return name
	}
	return t + "  (" + name + ")"
}

func signerText(s content.Signer) string {
	switch {
	case s.KeyID == "":
		return "未签名 Unsigned"
	case s.Trusted && s.Name != "":
		return fmt.Sprintf("%s (key %s) 可信 trusted", s.Name, s.KeyID)
	case s.Trusted:
		return fmt.Sprintf("key %s 可信 trusted", s.KeyID)
	}
	return fmt.Sprintf("key %s 不受信任 not trusted", s.KeyID)
}

func (a *Admin) contentPage() fyne.CanvasObject {
	if a.opts.Packs == nil {
		return para("此设备不能安装内容包  Content packs cannot be installed on this device.", 200)
	}
	v := &a.packView
	if v.loading && v.active.ID == "" && v.activeErr == nil {
		return a.waiting()
	}
	fr := cols{0.28, 0.72}
	var rows []fyne.CanvasObject
	switch {
	case v.activeErr == nil:
		rows = append(rows,
			band(rowColour, row(fr, "当前 Active", packTitle(v.active))),
			row(fr, "签名 Signed by", signerText(v.active.Signer)),
			row(fr, "安装于 Installed", a.fmtTime(v.active.Installed)),
		)
	case errors.Is(v.activeErr, content.ErrNoPack):
		rows = append(rows, band(rowColour, para("当前 Active: 内置内容 the built-in pack (no pack has been installed)", 200)))
	default:
		rows = append(rows, band(warnColour, para("已安装的内容包无法使用，正在展示内置内容。The installed pack cannot be used, so the built-in pack is showing: "+v.activeErr.Error(), 260)))
	}
	if v.outcome != "" {
		c := okColour
		if !v.outcomeOK {
			c = badColour
		}
		rows = append(rows, band(c, para(v.outcome, 200)))
	}
	rows = append(rows, widget.NewSeparator())
	switch {
	case v.busy:
		rows = append(rows, widget.NewLabel("正在回滚… Rolling back…"))
	case v.prevErr == nil:
		prev := v.prev
		rows = append(rows,
			row(fr, "上一个 Previous", packTitle(prev)),
			row(fr, "安装于 Installed", a.fmtTime(prev.Installed)),
			tall(a.primary("回滚到上一个 Roll back to "+prev.ID+" "+prev.Version, func() {
				a.ask(confirmation{
					question: "回滚到 " + prev.ID + " " + prev.Version + "？ Roll back?",
					detail:   "访客将看到上一个内容包；再回滚一次可以撤销。Visitors get the previous pack; rolling back again undoes it.",
					yes:      "回滚 Roll back",
					onYes:    a.rollback,
					onNo:     a.render,
				})
			})),
		)
	case errors.Is(v.prevErr, content.ErrNoPrevious):
		rows = append(rows, widget.NewLabel("没有可回滚的内容包  Nothing to roll back to."))
	default:
		rows = append(rows, para("无法读取上一个内容包 The previous pack cannot be read: "+v.prevErr.Error(), 200))
	}
	return container.NewVBox(rows...)
}

// rollback makes the previous pack active and live.
func (a *Admin) rollback() {
	pk := a.opts.Packs
	if pk == nil || a.packView.busy {
		return
	}
	a.packView.busy, a.packView.outcome = true, ""
	a.render()
	var (
		info, live content.Info
		fsys       fs.FS
		p          *content.Pack
		err        error
	)
	a.goSafe("rollback", func() {
		ctx, cancel := context.WithTimeout(context.Background(), installTimeout)
		defer cancel()
		if info, err = pk.Rollback(ctx); err != nil {
			return
		}
		fsys, p, live, err = pk.Active()
	}, func() {
		a.packView.busy = false
		a.idle.Touch()
		switch {
		case err != nil:
			a.log.Error("admin: rollback failed", "err", err)
			a.packView.outcome, a.packView.outcomeOK = "回滚失败 Rollback failed: "+err.Error(), false
		case p == nil:
			a.packView.outcome, a.packView.outcomeOK = "回滚失败 Rollback failed", false
		default:
			a.log.Info("admin: rolled back", "pack", info.ID, "version", info.Version)
			a.makeLive(fsys, p, live)
			a.packView.outcome, a.packView.outcomeOK = "已回滚，正在展示 Rolled back; now showing "+live.ID+" "+live.Version, true
		}
		a.loadPacks()
		if a.page == "content" {
			a.render()
		}
	})
}

// makeLive hands a newly active pack to the kiosk.
func (a *Admin) makeLive(fsys fs.FS, p *content.Pack, info content.Info) {
	if a.opts.OnPack != nil {
		a.guard("OnPack", func() { a.opts.OnPack(fsys, p, info) })
	}
}

// scanUSB looks for packs under the USB root off the Fyne goroutine.
func (a *Admin) scanUSB() {
	u := &a.usb
	if a.opts.Packs == nil || u.scanning || u.installing != "" {
		return
	}
	u.scanning, u.result = true, nil
	root := a.opts.USBRoot
	var (
		files []packFile
		more  bool
		err   error
	)
	a.goSafe("scan usb", func() {
		files, more, err = findPacks(root)
	}, func() {
		u.scanning, u.files, u.more, u.err = false, files, more, err
		if err != nil {
			a.log.Warn("admin: reading the USB root", "root", root, "err", err)
		}
		if a.page == "usb" {
			a.render()
		}
	})
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
	again := tall(a.button("重新查找 Search again", a.scanUSB))
	switch {
	case u.installing != "":
		return para("正在安装 Installing "+filepath.Base(u.installing)+" …\n检查签名和每个文件 Checking the signature and every file.", 200)
	case u.result != nil:
		return a.resultView(u.result)
	case u.scanning:
		return widget.NewLabel("正在查找 Searching " + a.opts.USBRoot + " …")
	case u.err != nil:
		return container.NewVBox(para("无法读取U盘 The USB stick cannot be read: "+u.err.Error(), 200), again)
	case len(u.files) == 0:
		return container.NewVBox(
			para(fmt.Sprintf("没有找到内容包 No .wfpack file found under %s (up to %d folders deep). 插入U盘，等几秒，再查找。Insert the stick, wait a few seconds and search again.", a.opts.USBRoot, usbDepth), 240),
			again)
	}
	items := make([]fyne.CanvasObject, len(u.files))
	for i, f := range u.files {
		label := fmt.Sprintf("%s   %s   %s", filepath.Base(f.rel), sizeText(f.size), filepath.Dir(f.rel))
		items[i] = tall(a.button(label, func() { a.install(f) }))
	}
	note := "点击一个内容包即可安装 Tap a pack to install it"
	if u.more {
		note += fmt.Sprintf(" (first %d shown)", maxListed)
	}
	header := container.NewBorder(nil, nil, nil, again, widget.NewLabel(note))
	return a.paged(header, items, packsPerPage)
}

func (a *Admin) resultView(r *result) fyne.CanvasObject {
	c := okColour
	if !r.ok {
		c = badColour
	}
	objs := []fyne.CanvasObject{band(c, para(r.title, 120))}
	for _, l := range r.lines {
		objs = append(objs, para(l, 240))
	}
	back := tall(a.button("返回列表 Back to the list", a.scanUSB))
	return container.NewBorder(nil, back, nil, nil, container.NewVBox(objs...))
}

// install installs f off the Fyne goroutine and, when it worked, makes the
// new pack live.
func (a *Admin) install(f packFile) {
	pk := a.opts.Packs
	if pk == nil || a.usb.installing != "" {
		return
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
			r.lines = append(r.lines, strings.TrimPrefix(err.Error(), "install pack: "))
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
		a.idle.Touch()          // two minutes to read the outcome
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
