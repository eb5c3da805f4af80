package adminui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/wufang-kiosk/wufang/kiosk/admin"
)

// pinState is what the PIN pad shows.
type pinState struct {
	digits string
	busy   bool   // a PIN is being checked
	msg    string // the outcome of the last attempt
}

// openPIN replaces the visitor screen with the PIN pad.
func (a *Admin) openPIN() {
	a.takeOver()
	a.pin = pinState{}
	a.log.Info("admin: PIN pad opened")
	a.showPIN()
}

// lockedFor is how long admin mode stays locked, 0 when it is not.
func (a *Admin) lockedFor() time.Duration {
	if a.limiter == nil {
		return 0
	}
	return a.limiter.Remaining()
}

// minutes rounds d up to whole minutes: "4 min" still means waiting.
func minutes(d time.Duration) int {
	return int((d + time.Minute - 1) / time.Minute)
}

func lockedMsg(d time.Duration) string {
	return fmt.Sprintf("已锁定：请 %d 分钟后再试\nLocked after too many wrong PINs: try again in %d min", minutes(d), minutes(d))
}

func (a *Admin) showPIN() {
	a.measure()
	a.useTheme(a.m.pin)
	a.stopTick()
	locked := a.lockedFor()
	msg := a.pin.msg
	switch {
	case locked > 0:
		msg = lockedMsg(locked)
		// Count the minutes down while the pad is open.
		a.startTick(min(locked, 30*time.Second), a.showPIN)
	case a.pin.busy:
		msg = "正在验证… Checking…"
	}
	dots := strings.Repeat("● ", len(a.pin.digits))
	if dots == "" {
		dots = "—"
	}
	dotLabel := widget.NewLabelWithStyle(strings.TrimSpace(dots), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	dotLabel.SizeName = fynetheme.SizeNameHeadingText
	status := para(msg, 200)

	disabled := locked > 0 || a.pin.busy
	key := func(label string, f func()) fyne.CanvasObject {
		b := a.button(label, f)
		if disabled {
			b.Disable()
		}
		return b
	}
	pad := container.New(keypad{minSide: minKey * a.m.s, pad: 2 * a.pad()})
	for _, d := range []string{"1", "2", "3", "4", "5", "6", "7", "8", "9"} {
		pad.Add(key(d, func() { a.pinDigit(d) }))
	}
	pad.Add(key("←", a.pinBack))
	pad.Add(key("0", func() { a.pinDigit("0") }))
	ok := key("OK", a.pinOK).(*widget.Button)
	ok.Importance = widget.HighImportance
	pad.Add(ok)

	left := container.NewBorder(
		container.NewVBox(
			heading("管理员模式 Staff mode"),
			widget.NewLabel("请输入 PIN\nEnter the PIN"),
			dotLabel,
		),
		a.tall(a.button("取消 Cancel", a.leave)),
		nil, nil,
		status,
	)
	// Landscape: the prompt beside the keys; portrait: above them.
	frac, gap := float32(0.42), a.pad()
	if a.m.portrait {
		frac, gap = 0.36, a.m.touch/2 // Cancel is not a key's neighbour
	}
	a.show(container.New(split{portrait: a.m.portrait, frac: frac, pad: gap}, left, pad))
}

func (a *Admin) pinDigit(d string) {
	if a.pin.busy || len(a.pin.digits) >= admin.MaxPINLen {
		return
	}
	a.pin.digits += d
	a.pin.msg = ""
	a.showPIN()
}

func (a *Admin) pinBack() {
	if n := len(a.pin.digits); n > 0 && !a.pin.busy {
		a.pin.digits = a.pin.digits[:n-1]
		a.showPIN()
	}
}

// pinOK checks the PIN off the Fyne goroutine: the hash is slow on purpose.
func (a *Admin) pinOK() {
	if a.pin.busy || a.lockedFor() > 0 {
		return
	}
	if len(a.pin.digits) < admin.MinPINLen {
		a.pin.digits = ""
		a.pin.msg = fmt.Sprintf("PIN 至少 %d 位  The PIN has at least %d digits", admin.MinPINLen, admin.MinPINLen)
		a.showPIN()
		return
	}
	pin := a.pin.digits
	a.pin = pinState{busy: true}
	a.showPIN()
	l, hash := a.limiter, a.opts.PINHash
	go func() {
		res, err := l.Try(pin, hash)
		a.post(func() { a.guard("pin", func() { a.pinResult(res, err) }) })
	}()
}

func (a *Admin) pinResult(res admin.Result, err error) {
	if !a.shown || a.active.Load() {
		return // cancelled (or left by itself) while checking
	}
	a.pin.busy = false
	switch {
	case errors.Is(err, admin.ErrLocked):
		a.pin.msg = lockedMsg(res.Locked)
	case err != nil:
		a.log.Error("admin: the PIN cannot be checked", "err", err)
		a.pin.msg = "无法验证 PIN，请检查配置  The PIN cannot be checked: " + err.Error()
	case res.OK:
		a.active.Store(true)
		a.log.Info("admin mode entered")
		a.openPage(pages[0].id)
		return
	case res.Locked > 0:
		a.log.Warn("admin: wrong PIN, admin mode locked", "for", res.Locked)
		a.pin.msg = lockedMsg(res.Locked)
	default:
		a.log.Warn("admin: wrong PIN", "attempts_left", res.AttemptsLeft)
		a.pin.msg = fmt.Sprintf("PIN 错误，还可试 %d 次\nWrong PIN: %d more tries before a %d-minute lock", res.AttemptsLeft, res.AttemptsLeft, minutes(a.limiter.NextLock()))
	}
	a.showPIN()
}

// startTick calls f on the Fyne goroutine after d, unless the screen
// changed (stopTick) in between.
func (a *Admin) startTick(d time.Duration, f func()) {
	a.stopTick()
	a.tickGen++
	gen := a.tickGen
	a.tick = a.clock.AfterFunc(d, func() {
		a.post(func() {
			if gen == a.tickGen && a.shown {
				a.tick = nil
				a.guard("tick", f)
			}
		})
	})
}

func (a *Admin) stopTick() {
	if a.tick != nil {
		a.tick.Stop()
		a.tick = nil
	}
	a.tickGen++
}
