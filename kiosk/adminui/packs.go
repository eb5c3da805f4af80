package adminui

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"io/fs"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/content/builtin"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

// installTimeout bounds an install from a slow stick.
const installTimeout = 5 * time.Minute

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
	builtin   content.Info     // the built-in pack's id, version and title
	offer     *wire.OfferState // the hub's offer (nil: none)
	busy      string           // what is running: a rollback, the way back to the built-in pack
	outcome   string           // what the last rollback or return to the built-in pack did
	outcomeOK bool
}

// result is the outcome of an install, shown until staff go back to the
// list.
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

// The built-in pack, loaded once (it is in the binary).
var builtinPack = sync.OnceValues(func() (*content.Pack, error) { return content.Load(builtin.FS()) })

// builtinInfo describes the built-in pack as content.Info (zero when it
// cannot be loaded, which its tests rule out).
func builtinInfo() content.Info {
	p, err := builtinPack()
	if err != nil {
		return content.Info{}
	}
	return content.Info{ID: p.ID, Version: p.Version, Title: p.Title}
}

// openContent forgets the last outcome and reads the packs.
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
		v.builtin = builtinInfo()
		if a.opts.Device != nil {
			v.offer = a.opts.Device.Status().Offer
		}
	}, func() {
		pv := &a.packView
		pv.loading = false
		pv.active, pv.activeErr = v.active, v.activeErr
		pv.prev, pv.prevErr = v.prev, v.prevErr
		pv.builtin = v.builtin
		pv.offer = v.offer
		if a.page == "content" {
			a.render()
		}
	})
}

// packTitle is "title (id version)", the title in both of the staff
// screens' languages.
func packTitle(i content.Info) string {
	return titleOf(i.Title, i.ID, i.Version)
}

func titleOf(title content.Text, id, version string) string {
	name := strings.TrimSpace(id + " " + version)
	t := title["zh-CN"]
	if en := title["en"]; en != "" && en != t {
		t = strings.TrimSpace(t + " / " + en)
	}
	if t == "" {
		for _, v := range title {
			t = v
			break
		}
	}
	if t == "" {
		return name
	}
	if name == "" {
		return t
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
	installed := false // an installed pack is active (usable or not)
	switch {
	case v.activeErr == nil:
		installed = true
		rows = append(rows,
			band(rowColour, row(fr, "当前 Active", packTitle(v.active))),
			row(fr, "签名 Signed by", signerText(v.active.Signer)),
			row(fr, "安装于 Installed", a.fmtTime(v.active.Installed)),
		)
	case errors.Is(v.activeErr, content.ErrNoPack):
		rows = append(rows, band(rowColour, row(fr, "当前 Active", "内置内容 The built-in pack: "+packTitle(v.builtin))))
	default:
		installed = true
		rows = append(rows, band(warnColour, para("已安装的内容包无法使用，正在展示内置内容。The installed pack cannot be used, so the built-in pack is showing: "+v.activeErr.Error(), 260)))
	}
	if v.offer != nil {
		running := v.activeErr == nil && v.active.ID == v.offer.ID && v.active.Version == v.offer.Version
		label := widget.NewLabel("中心 Hub offer")
		label.Truncation = fyne.TextTruncateEllipsis
		rows = append(rows, container.New(fr, label, para(offerLine(v.offer, running), 200)))
	}
	if v.outcome != "" {
		c := okColour
		if !v.outcomeOK {
			c = badColour
		}
		rows = append(rows, band(c, para(v.outcome, 200)))
	}
	rows = append(rows, widget.NewSeparator())
	var actions []fyne.CanvasObject
	switch {
	case v.busy != "":
		rows = append(rows, widget.NewLabel(v.busy))
	case v.prevErr == nil:
		prev := v.prev
		rows = append(rows,
			row(fr, "上一个 Previous", packTitle(prev)),
			row(fr, "安装于 Installed", a.fmtTime(prev.Installed)),
		)
		actions = append(actions, a.primary("回滚到 Roll back to "+prev.ID+" "+prev.Version, func() {
			a.ask(confirmation{
				question: "回滚到 " + prev.ID + " " + prev.Version + "？ Roll back?",
				detail:   "访客将看到上一个内容包；再回滚一次可以撤销。Visitors get the previous pack; rolling back again undoes it.",
				yes:      "回滚 Roll back",
				onYes:    a.rollback,
				onNo:     a.render,
			})
		}))
	case errors.Is(v.prevErr, content.ErrNoPrevious):
		rows = append(rows, widget.NewLabel("没有可回滚的内容包  Nothing to roll back to."))
	default:
		rows = append(rows, para("无法读取上一个内容包 The previous pack cannot be read: "+v.prevErr.Error(), 200))
	}
	if installed && v.busy == "" {
		was := "the installed pack"
		if v.activeErr == nil {
			was = v.active.ID + " " + v.active.Version
		}
		actions = append(actions, a.danger("回到内置内容 Back to the built-in pack", func() {
			a.ask(confirmation{
				question: "回到内置内容？ Back to the built-in pack?",
				detail: fmt.Sprintf("访客将立即看到内置内容 %s；%s 保留为上一个，可以回滚恢复。Visitors get the built-in pack %s %s now; %s is kept as the previous pack, Roll back brings it back.",
					v.builtin.Version, was, v.builtin.ID, v.builtin.Version, was),
				yes:   "回到内置内容 Use the built-in pack",
				onYes: a.useBuiltin,
				onNo:  a.render,
			})
		}))
	}
	if len(actions) > 0 {
		rows = append(rows, a.tall(container.New(cols{}, actions...)))
	}
	return container.NewVBox(rows...)
}

// offerLine says, in one line, how the hub's offer stands against what
// staff choose here (running: the offered pack is the active one): once
// installed, a rollback or the built-in pack chosen here is kept
// (edge/delivery); an offer still waiting is installed later all the same.
func offerLine(o *wire.OfferState, running bool) string {
	p := o.ID + " " + o.Version + " "
	switch {
	case o.State == wire.OfferPending:
		return p + "等待安装，会替换在此的选择 waits to install; it will replace a choice made here"
	case o.State == wire.OfferInstalled && running:
		return p + "已安装；在此回滚或换回内置内容将被保留 installed; a rollback or the built-in pack chosen here is kept"
	case o.State == wire.OfferInstalled, strings.Contains(o.Reason, wire.OfferStaffChose):
		return p + "不再安装：保留在此的选择 not installed again: the choice made here is kept"
	}
	return p + "已拒绝 refused: " + o.Reason
}

// rollback makes the previous pack active and live.
func (a *Admin) rollback() {
	a.packChange("正在回滚… Rolling back…", "rollback", "回滚失败 Rollback failed: ", func(ctx context.Context, pk Packs) (string, func(), error) {
		info, err := pk.Rollback(ctx)
		if err != nil {
			return "", nil, err
		}
		fsys, p, live, err := pk.Active()
		if err != nil {
			return "", nil, err
		}
		a.log.Info("admin: rolled back", "pack", info.ID, "version", info.Version)
		return "已回滚，正在展示 Rolled back; now showing " + live.ID + " " + live.Version,
			func() { a.makeLive(fsys, p, live) }, nil
	})
}

// useBuiltin makes the built-in pack active and live: the installed pack
// stays as the previous one.
func (a *Admin) useBuiltin() {
	a.packChange("正在换回内置内容… Going back to the built-in pack…", "back to the built-in pack",
		"未能换回内置内容 Could not go back to the built-in pack: ", func(ctx context.Context, pk Packs) (string, func(), error) {
			p, err := builtinPack()
			if err != nil {
				return "", nil, err
			}
			// ErrNoPack: the installed pack was already gone; show the
			// built-in one all the same.
			was, err := pk.UseBuiltin(ctx, p.ID, p.Version)
			if err != nil && !errors.Is(err, content.ErrNoPack) {
				return "", nil, err
			}
			a.log.Info("admin: back to the built-in pack", "builtin", p.Version, "was", strings.TrimSpace(was.ID+" "+was.Version))
			info := content.Info{ID: p.ID, Version: p.Version, Title: p.Title}
			return "已换回内置内容，正在展示 Now showing the built-in pack " + p.ID + " " + p.Version + ". 回滚可恢复 Roll back brings the installed pack back.",
				func() { a.makeLive(builtin.FS(), p, info) }, nil
		})
}

// packChange runs change (a rollback, the way back to the built-in pack)
// off the Fyne goroutine, makes the pack it returns live and shows the
// outcome on the Content screen.
func (a *Admin) packChange(busy, what, failed string, change func(ctx context.Context, pk Packs) (msg string, live func(), err error)) {
	pk := a.opts.Packs
	if pk == nil || a.packView.busy != "" {
		return
	}
	a.packView.busy, a.packView.outcome = busy, ""
	a.render()
	var (
		live func()
		msg  string
		err  error
	)
	a.goSafe(what, func() {
		ctx, cancel := context.WithTimeout(context.Background(), installTimeout)
		defer cancel()
		msg, live, err = change(ctx, pk)
	}, func() {
		a.packView.busy = ""
		a.idle.Touch()
		switch {
		case err != nil:
			a.log.Error("admin: "+what+" failed", "err", err)
			a.packView.outcome, a.packView.outcomeOK = failed+err.Error(), false
		case live == nil:
			a.packView.outcome, a.packView.outcomeOK = failed+"it stopped half-way (see the log)", false
		default:
			live()
			a.packView.outcome, a.packView.outcomeOK = msg, true
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
