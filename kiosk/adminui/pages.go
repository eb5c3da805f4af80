package adminui

import (
	"fmt"
	"net"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/wufang-kiosk/wufang/edge/wire"
	"github.com/wufang-kiosk/wufang/kiosk/flow"
)

// refreshEvery is how often a live screen reads the device status again.
const refreshEvery = 2 * time.Second

// page is one staff screen: its menu entry and constructor. live screens
// read the device status every refreshEvery while shown; open, when set,
// starts what the screen needs (reading the packs, scanning the stick).
type page struct {
	id, label, title string
	live             bool
	open             func(*Admin)
	build            func(*Admin) fyne.CanvasObject
}

// pages are the staff screens in menu order; the first shows on entry.
var pages []page

func init() {
	pages = []page{
		{id: "counts", label: "计数 Counts", title: "计数 Visitor counts", live: true, build: (*Admin).countsPage},
		{id: "uplink", label: "上传 Uplink", title: "上传 Uplink to the hub", live: true, build: (*Admin).uplinkPage},
		{id: "sensors", label: "传感器 Sensors", title: "传感器 Sensors (press a button to test)", live: true, build: (*Admin).sensorsPage},
		{id: "content", label: "内容 Content", title: "内容 Content pack", open: (*Admin).openContent, build: (*Admin).contentPage},
		{id: "usb", label: "U盘安装 USB", title: "从U盘安装 Install from USB", open: (*Admin).scanUSB, build: (*Admin).usbPage},
		{id: "device", label: "设备 Device", title: "设备 Device", build: (*Admin).devicePage},
		{id: "restart", label: "重启 Restart", title: "重启应用 Restart the app", build: (*Admin).restartPage},
		{id: "exit", label: "退出 Exit", title: "退出到桌面 Exit to the desktop", build: (*Admin).exitPage},
	}
}

func pageByID(id string) page {
	for _, p := range pages {
		if p.id == id {
			return p
		}
	}
	return pages[0]
}

// openPage shows a staff screen from its start.
func (a *Admin) openPage(id string) {
	if !a.active.Load() {
		return
	}
	a.stopTick()
	a.page, a.pageIdx, a.confirm = id, 0, nil
	a.holdAnswers()
	p := pageByID(id)
	if p.live {
		a.fetchStatus()
	}
	if p.open != nil {
		p.open(a)
	}
	a.render()
}

// render draws the current screen (show updates the shown widgets in place
// when only texts and colours changed, so a refresh never swaps a button
// under a finger). In landscape the menu is a column on the left; in
// portrait it is a grid across the top.
func (a *Admin) render() {
	if !a.active.Load() || a.frame == nil {
		return
	}
	a.measure()
	a.useTheme(a.m.text)
	p := pageByID(a.page)
	a.builds++
	n := 1
	if a.m.portrait {
		n = 4
	}
	menu := container.New(grid{n: n, pad: a.pad()})
	for _, q := range pages {
		b := a.button(q.label, func() { a.openPage(q.id) })
		if q.id == a.page {
			b.Importance = widget.HighImportance
		}
		menu.Add(a.tall(b))
	}
	title := heading(p.title)
	head := container.NewVBox(container.NewBorder(nil, nil, nil, a.tall(a.button("离开 Leave", a.leave)), title), widget.NewSeparator())
	pad := a.pad()
	if a.m.portrait {
		head = container.NewVBox(menu, head)
		a.body = fyne.NewSize(a.m.size.Width, a.m.size.Height-head.MinSize().Height-pad)
	} else {
		a.body = fyne.NewSize(a.m.size.Width-menu.MinSize().Width-pad, a.m.size.Height-head.MinSize().Height-pad)
	}
	var body fyne.CanvasObject
	a.retitle = ""
	if a.confirm != nil {
		body = a.confirmBody()
	} else {
		body = p.build(a)
	}
	if a.retitle != "" {
		title.Text = a.retitle
	}
	scr := container.NewBorder(head, nil, nil, nil, body)
	if !a.m.portrait {
		scr = container.NewBorder(nil, nil, menu, nil, container.NewBorder(head, nil, nil, nil, body))
	}
	if p.live && a.confirm == nil && a.tick == nil {
		a.startTick(refreshEvery, a.fetchStatus)
	}
	a.show(scr)
}

// shape writes the structure of a screen: its objects' types and layouts,
// not their texts, colours or handlers.
func shape(o fyne.CanvasObject, b *strings.Builder) {
	switch o := o.(type) {
	case *fyne.Container:
		switch l := o.Layout.(type) {
		case cols, minHeight, grid, keypad, split:
			fmt.Fprintf(b, "[%T%v", l, l)
		default:
			fmt.Fprintf(b, "[%T", l)
		}
		for _, c := range o.Objects {
			shape(c, b)
		}
		b.WriteString("]")
	case *container.ThemeOverride:
		size := float32(0)
		if th, ok := o.Theme.(*adminTheme); ok {
			size = th.text
		}
		fmt.Fprintf(b, "{%v", size)
		shape(o.Content, b)
		b.WriteString("}")
	case *widget.Label:
		fmt.Fprintf(b, "L%v%v%v%v", o.Alignment, o.TextStyle, o.Wrapping, o.Truncation)
	default:
		fmt.Fprintf(b, "%T", o)
	}
}

// patch makes old show what new shows when both have the same shape, and
// reports whether it did; otherwise old is untouched.
func patch(old, new fyne.CanvasObject) bool {
	var a, b strings.Builder
	shape(old, &a)
	shape(new, &b)
	if a.String() != b.String() {
		return false
	}
	if apply(old, new) {
		relayout(old)
	}
	return true
}

// apply copies new's texts, colours and handlers onto old, and reports
// whether a text changed that may change sizes (a button's, a wrapped
// label's).
func apply(old, new fyne.CanvasObject) (resized bool) {
	switch o := old.(type) {
	case *fyne.Container:
		n := new.(*fyne.Container)
		for i := range o.Objects {
			resized = apply(o.Objects[i], n.Objects[i]) || resized
		}
	case *container.ThemeOverride:
		return apply(o.Content, new.(*container.ThemeOverride).Content)
	case *widget.Label:
		if n := new.(*widget.Label); o.Text != n.Text {
			o.SetText(n.Text)
			resized = o.Wrapping != fyne.TextWrapOff
		}
	case *widget.Button:
		n := new.(*widget.Button)
		o.OnTapped = n.OnTapped
		if o.Text != n.Text || o.Importance != n.Importance {
			resized = o.Text != n.Text
			o.Text, o.Importance = n.Text, n.Importance
			o.Refresh()
		}
		if n.Disabled() && !o.Disabled() {
			o.Disable()
		} else if !n.Disabled() && o.Disabled() {
			o.Enable()
		}
	case *canvas.Rectangle:
		if n := new.(*canvas.Rectangle); o.FillColor != n.FillColor {
			o.FillColor = n.FillColor
			o.Refresh()
		}
	}
	return resized
}

// relayout lays every container under o out again at its size: after a
// patch changed a size, from the outside in (a container only lays out
// its children when its own size changes).
func relayout(o fyne.CanvasObject) {
	c, ok := o.(*fyne.Container)
	if !ok {
		return
	}
	if c.Layout != nil {
		c.Layout.Layout(c.Objects, c.Size())
	}
	for _, k := range c.Objects {
		relayout(k)
	}
}

// fetchStatus reads the device status off the Fyne goroutine and redraws.
func (a *Admin) fetchStatus() {
	dev := a.opts.Device
	if dev == nil || a.fetching {
		return
	}
	a.fetching = true
	go func() {
		var st *Status
		func() {
			defer func() {
				if r := recover(); r != nil {
					a.log.Error("admin: panic reading the device status", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				}
			}()
			s := dev.Status()
			st = &s
		}()
		a.post(func() {
			a.guard("status", func() {
				a.fetching = false
				live := a.active.Load() && pageByID(a.page).live
				if live && a.confirm == nil && a.tick == nil {
					a.startTick(refreshEvery, a.fetchStatus)
				}
				if st == nil {
					return
				}
				// Building a screen costs renderers Fyne keeps for a minute:
				// an unchanged status within the same minute (the screens show
				// minutes) draws nothing.
				now := a.clock.Now()
				same := a.status != nil && sameStatus(*a.status, *st) && now.Truncate(time.Minute).Equal(a.statusAt.Truncate(time.Minute))
				a.status = st
				if !same {
					a.statusAt = now
				}
				if live && !same {
					a.render()
				}
			})
		})
	}()
}

// sameStatus reports whether two statuses show the same, ignoring when
// they were taken.
func sameStatus(a, b Status) bool {
	a.Time, b.Time = time.Time{}, time.Time{}
	return reflect.DeepEqual(a, b)
}

// paged shows items under header, as many to a page as fit the page's
// space, with page buttons when they do not all fit one.
func (a *Admin) paged(header fyne.CanvasObject, items []fyne.CanvasObject) fyne.CanvasObject {
	pad := a.pad()
	avail := a.body.Height
	if header != nil {
		avail -= header.MinSize().Height + pad
	}
	heights := make([]float32, len(items))
	var all float32
	for i, it := range items {
		heights[i] = it.MinSize().Height + pad
		all += heights[i]
	}
	// Split into pages; the page buttons take a row when there is more
	// than one.
	var starts []int
	if all <= avail {
		starts = []int{0}
	} else {
		avail -= a.m.touch + pad
		var used float32
		for i, h := range heights {
			if i == 0 || used+h > avail {
				starts = append(starts, i)
				used = 0
			}
			used += h
		}
	}
	n := len(starts)
	a.pageIdx = min(max(a.pageIdx, 0), n-1)
	box := container.NewVBox()
	if header != nil {
		box.Add(header)
	}
	lo, hi := starts[a.pageIdx], len(items)
	if a.pageIdx+1 < n {
		hi = starts[a.pageIdx+1]
	}
	for _, it := range items[lo:hi] {
		box.Add(it)
	}
	if n == 1 {
		return box
	}
	prev := a.button("◀ 上一页 Previous", func() { a.pageIdx--; a.render() })
	next := a.button("下一页 Next ▶", func() { a.pageIdx++; a.render() })
	if a.pageIdx == 0 {
		prev.Disable()
	}
	if a.pageIdx == n-1 {
		next.Disable()
	}
	at := widget.NewLabelWithStyle(fmt.Sprintf("%d / %d", a.pageIdx+1, n), fyne.TextAlignCenter, fyne.TextStyle{})
	return container.NewBorder(nil, a.tall(container.New(cols{0.4, 0.2, 0.4}, prev, at, next)), nil, nil, box)
}

// noDevice is what a status screen says without a device runtime.
func noDevice() fyne.CanvasObject {
	return para("没有设备数据  No device data: the edge hub is not running in this process.", 200)
}

func (a *Admin) waiting() fyne.CanvasObject {
	return widget.NewLabel("正在读取… Reading…")
}

func sum(m map[string]uint64) uint64 {
	var n uint64
	for _, v := range m {
		n += v
	}
	return n
}

var moduleNames = map[string]string{
	"traffic": "交通 Traffic", "fire": "消防 Fire", "fraud": "防诈 Fraud",
	"drugs": "禁毒 Drugs", "disasters": "防灾 Disasters",
}

func (a *Admin) countsPage() fyne.CanvasObject {
	if a.opts.Device == nil {
		return noDevice()
	}
	if a.status == nil {
		return a.waiting()
	}
	t, l := a.status.Today, a.status.Lifetime
	fr := cols{0.5, 0.25, 0.25}
	n := func(v uint64) string { return fmt.Sprint(v) }
	fb := func(c wire.Counters) string {
		return fmt.Sprintf("%d · %d · %d", c.Feedback[0], c.Feedback[1], c.Feedback[2])
	}
	date := a.status.Date
	if date == "" {
		date = "—"
	}
	header := band(rowColour, row(fr, "日期 Date "+date, "今天 Today", "累计 Lifetime"))
	totals := []fyne.CanvasObject{
		row(fr, "进门 Entries", n(t.Entries), n(l.Entries)),
		row(fr, "出门 Exits", n(t.Exits), n(l.Exits)),
		row(fr, "参观 Sessions", n(t.Sessions), n(l.Sessions)),
		row(fr, "模块开始 Modules started", n(sum(t.ModulesStarted)), n(sum(l.ModulesStarted))),
		row(fr, "模块完成 Modules completed", n(sum(t.ModulesCompleted)), n(sum(l.ModulesCompleted))),
		row(fr, "模块通过 Modules passed", n(sum(t.ModulesPassed)), n(sum(l.ModulesPassed))),
		row(fr, "评价 Feedback 差·中·好", fb(t), fb(l)),
		row(fr, "闭馆时进门 After-hours entries", n(t.AfterHoursEntries), n(l.AfterHoursEntries)),
	}
	// The second page splits the modules: started / completed / passed.
	mfr := cols{0.3, 0.35, 0.35}
	ids := moduleIDs(t, l)
	var perModule []fyne.CanvasObject
	perModule = append(perModule, band(rowColour, row(mfr, "开始/完成/通过", "今天 Today", "累计 Lifetime")))
	for _, id := range ids {
		scp := func(c wire.Counters) string {
			return fmt.Sprintf("%d / %d / %d", c.ModulesStarted[id], c.ModulesCompleted[id], c.ModulesPassed[id])
		}
		name := moduleNames[id]
		if name == "" {
			name = id
		}
		perModule = append(perModule, row(mfr, name, scp(t), scp(l)))
	}
	blocks := []fyne.CanvasObject{
		container.NewVBox(append([]fyne.CanvasObject{header}, totals...)...),
		container.NewVBox(perModule...),
	}
	if o := a.overview(blocks); o != nil {
		return o
	}
	return a.paged(nil, blocks)
}

// overview is the counts above the uplink and the device, on one screen,
// when the screen is big enough for that (1920×1080 and 1080×1920 are);
// nil otherwise.
func (a *Admin) overview(counts []fyne.CanvasObject) fyne.CanvasObject {
	if a.m.s < 1.5 || len(counts) != 2 {
		return nil
	}
	figures := container.New(cols{0.5, 0.5}, counts[0], container.NewVBox(counts[1]))
	if a.m.portrait {
		figures = container.NewVBox(counts...)
	}
	o := container.NewVBox(figures,
		container.New(cols{0.5, 0.5},
			container.NewVBox(band(rowColour, heading("上传 Uplink")), a.uplinkPage()),
			container.NewVBox(band(rowColour, heading("设备 Device")), a.devicePage())))
	if o.MinSize().Height > a.body.Height {
		return nil
	}
	a.retitle = "概况 Overview: counts, uplink, device"
	return o
}

// moduleIDs are the five modules, then any other module id counted.
func moduleIDs(cs ...wire.Counters) []string {
	ids := []string{"traffic", "fire", "fraud", "drugs", "disasters"}
	seen := map[string]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	var more []string
	for _, c := range cs {
		for _, m := range []map[string]uint64{c.ModulesStarted, c.ModulesCompleted, c.ModulesPassed} {
			for id := range m {
				if !seen[id] {
					seen[id] = true
					more = append(more, id)
				}
			}
		}
	}
	slices.Sort(more)
	return append(ids, more...)
}

func (a *Admin) uplinkPage() fyne.CanvasObject {
	if a.opts.Device == nil {
		return noDevice()
	}
	if a.status == nil {
		return a.waiting()
	}
	u, s := a.status.Uplink, a.status.Store
	fr := cols{0.36, 0.64}
	state := "未连接 Not connected"
	since := "断开自 Down since"
	switch {
	case !u.Enabled:
		state = "关闭 Off: no broker configured (mqtt.broker)"
	case u.Connected:
		state = "已连接 Connected"
		since = "连接自 Connected since"
	}
	rows := []fyne.CanvasObject{
		band(rowColour, row(fr, "状态 State", state)),
	}
	if u.Enabled {
		rows = append(rows,
			row(fr, "服务器 Broker", u.Broker),
			row(fr, since, a.fmtTime(u.Since)+a.ago(u.Since)),
		)
	}
	backlog := fmt.Sprint(s.Backlog)
	if s.Backlog > 0 && u.Enabled && !u.Connected {
		backlog += "  (kept on the device until the hub is back)"
	}
	dropped := fmt.Sprint(s.Dropped)
	if s.Dropped > 0 {
		dropped += "  (oldest events, to stay under the disk cap; counts are kept)"
	}
	rows = append(rows,
		row(fr, "待发送 Backlog", backlog),
		row(fr, "已丢弃 Dropped", dropped),
		row(fr, "已发送 Sent (since start)", fmt.Sprint(u.Sent)),
	)
	if u.Enabled && !u.Connected && !u.NextRetry.IsZero() {
		rows = append(rows, row(fr, "重试 Next try", fmt.Sprintf("%s (attempt %d)", a.fmtTime(u.NextRetry), u.Attempts+1)))
	}
	if u.LastError != "" {
		rows = append(rows,
			row(fr, "最后错误 Last error", a.fmtTime(u.ErrorAt)),
			para(u.LastError, 220),
		)
	}
	if s.State != "" && s.State != "ok" { // store.StateOK (not imported: no bbolt in the UI)
		// A full disk or a failing store loses visits: say so first.
		warn := fmt.Sprintf("存储 Event store: %s", s.State)
		if s.RecordFailures > 0 {
			warn += fmt.Sprintf(", %d events could not be recorded", s.RecordFailures)
		}
		rows = append([]fyne.CanvasObject{band(warnColour, row(fr, "存储 Store", warn))}, rows...)
		if s.LastError != "" {
			rows = append(rows, para(s.LastError, 220))
		}
	}
	if s.Recovered != "" {
		rows = append(rows, para("存储曾损坏 The event store was damaged and was moved aside to "+s.Recovered, 200))
	}
	return container.NewVBox(rows...)
}

// ago says how long ago t was, in whole minutes or hours.
func (a *Admin) ago(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := a.clock.Now().Sub(t)
	switch {
	case d < time.Minute:
		return ""
	case d < time.Hour:
		return fmt.Sprintf("  (%d min)", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("  (%d h %d min)", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("  (%d days)", int(d/(24*time.Hour)))
}

func (a *Admin) devicePage() fyne.CanvasObject {
	fr := cols{0.3, 0.7}
	addrs := a.addrs()
	if len(addrs) == 0 {
		addrs = []string{"— (no network)"}
	}
	rows := []fyne.CanvasObject{
		row(fr, "场馆 Site", a.opts.Site),
		row(fr, "设备 Device", a.opts.DeviceName),
		row(fr, "版本 App version", a.opts.AppVersion),
	}
	// Two addresses to a line, at most two lines: IPv4 ones come first.
	for i := 0; i < len(addrs) && i < 4; i += 2 {
		label := ""
		if i == 0 {
			label = "IP 地址 Addresses"
		}
		rows = append(rows, row(fr, label, strings.Join(addrs[i:min(i+2, len(addrs))], ",  ")))
	}
	rows = append(rows,
		row(fr, "数据 Data folder", a.opts.DataDir),
		row(fr, "U盘 USB root", a.opts.USBRoot),
		row(fr, "时间 Time", a.clock.Now().In(a.loc).Format("2006-01-02 15:04:05 MST")),
	)
	var warns []string
	if a.opts.Warnings != nil {
		a.guard("warnings", func() { warns = a.opts.Warnings() })
	}
	for i, w := range warns {
		if i == 3 {
			rows = append(rows, widget.NewLabel(fmt.Sprintf("… %d more", len(warns)-3)))
			break
		}
		rows = append(rows, band(warnColour, para("注意 Note: "+w, 150)))
	}
	return container.NewVBox(rows...)
}

// addrs lists the device's non-loopback IP addresses.
func (a *Admin) addrs() []string {
	if a.opts.Addrs != nil {
		return a.opts.Addrs()
	}
	ifs, err := net.Interfaces()
	if err != nil {
		a.log.Warn("admin: listing network interfaces", "err", err)
		return nil
	}
	var v4, v6 []string
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagLoopback != 0 || ifc.Flags&net.FlagUp == 0 {
			continue
		}
		as, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, ad := range as {
			ipn, ok := ad.(*net.IPNet)
			if !ok || ipn.IP.IsLinkLocalUnicast() {
				continue
			}
			if ipn.IP.To4() != nil {
				v4 = append(v4, ifc.Name+" "+ipn.IP.String())
			} else {
				v6 = append(v6, ifc.Name+" "+ipn.IP.String())
			}
		}
	}
	return append(v4, v6...)
}

func (a *Admin) restartPage() fyne.CanvasObject {
	return a.confirmScreen(
		"重新启动应用？ Restart the app?",
		"访客画面几秒后重新出现。 The visitor screen comes back in a few seconds. Counts are kept.",
		"立即重启 Restart now", a.restart,
		func() { a.openPage(pages[0].id) })
}

func (a *Admin) exitPage() fyne.CanvasObject {
	return a.confirmScreen(
		"退出到桌面？ Exit to the desktop?",
		"展项将关闭，直到有人重新启动它。 The exhibit stays closed until someone starts it again.",
		"立即退出 Exit now", a.exit,
		func() { a.openPage(pages[0].id) })
}

func (a *Admin) restart() {
	a.log.Info("admin: restart requested")
	a.leave()
	if a.opts.OnRestart != nil {
		a.guard("restart", a.opts.OnRestart)
	}
}

func (a *Admin) exit() {
	a.log.Info("admin: exit to the desktop requested")
	a.leave()
	if a.opts.OnExit != nil {
		a.guard("exit", a.opts.OnExit)
	}
}

// confirmation is a question drawn over a page's body.
type confirmation struct {
	question, detail, yes string
	onYes, onNo           func()
}

// ask replaces the page's body with a question.
func (a *Admin) ask(c confirmation) {
	a.confirm = &c
	a.stopTick()
	a.holdAnswers()
	a.render()
}

// holdAnswers keeps the answer buttons of the screen about to show (a
// confirmation's yes, Install, Restart now) disabled for the visitor
// screens' input guard: the second tap of a double tap on the button that
// asked lands where the answer is, and must not answer.
func (a *Admin) holdAnswers() {
	a.answerAt = a.clock.Now().Add(flow.DefaultInputGuard)
	a.clock.AfterFunc(flow.DefaultInputGuard, func() {
		a.post(func() {
			a.guard("answer", func() {
				if a.held && !a.clock.Now().Before(a.answerAt) {
					a.held = false
					a.render()
				}
			})
		})
	})
}

// answer makes an answer button, disabled while answers are held.
func (a *Admin) answer(b *widget.Button) *widget.Button {
	if a.clock.Now().Before(a.answerAt) {
		b.Disable()
		a.held = true
	}
	return b
}

func (a *Admin) confirmBody() fyne.CanvasObject {
	c := a.confirm
	return a.confirmScreen(c.question, c.detail, c.yes,
		func() { a.confirm = nil; c.onYes() },
		func() { a.confirm = nil; c.onNo() })
}

// confirmScreen is a question with a big yes and a big no.
func (a *Admin) confirmScreen(question, detail, yes string, onYes, onNo func()) fyne.CanvasObject {
	q := widget.NewLabelWithStyle(question, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	q.Wrapping = fyne.TextWrapWord
	q.SizeName = fynetheme.SizeNameHeadingText
	d := para(detail, 240)
	d.Alignment = fyne.TextAlignCenter
	yb := a.answer(a.danger(yes, onYes))
	nb := a.button("取消 Cancel", onNo)
	buttons := container.New(minHeight(2*a.m.touch), container.New(cols{0.5, 0.5}, nb, yb))
	return container.NewVBox(q, d, widget.NewLabel(""), buttons)
}
