package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Lang is a UI language.
type Lang string

// The languages.
const (
	ZH Lang = "zh"
	EN Lang = "en"
)

// pickLang: ?lang= (kept in a cookie), then the cookie, then the first of
// zh or en in Accept-Language (by q), then Chinese.
func pickLang(w http.ResponseWriter, r *http.Request) Lang {
	if q := r.URL.Query().Get("lang"); q == "zh" || q == "en" {
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: q, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteStrictMode})
		return Lang(q)
	}
	if c, err := r.Cookie("lang"); err == nil && (c.Value == "zh" || c.Value == "en") {
		return Lang(c.Value)
	}
	return fromAcceptLanguage(r.Header.Get("Accept-Language"))
}

func fromAcceptLanguage(h string) Lang {
	best, bestQ := ZH, -1.0
	for _, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		base := strings.ToLower(strings.SplitN(tag, "-", 2)[0])
		if (base == "zh" || base == "en") && q > bestQ {
			best, bestQ = Lang(base), q
		}
	}
	return best
}

// messages are the UI's words; every key has both languages (a test checks).
var messages = map[string][2]string{ // [zh, en]
	"app":                   {"五防安全教育室 · 区级看板", "Safety rooms · district dashboard"},
	"nav.overview":          {"总览", "Overview"},
	"nav.report":            {"报表", "Report"},
	"nav.logout":            {"退出", "Log out"},
	"lang.other":            {"English", "中文"},
	"login.title":           {"工作人员登录", "Staff login"},
	"login.user":            {"用户名", "User name"},
	"login.password":        {"密码", "Password"},
	"login.submit":          {"登录", "Log in"},
	"login.wrong":           {"用户名或密码错误。", "Wrong user name or password."},
	"login.locked":          {"密码错误次数过多，该用户已锁定 5 分钟。", "Too many wrong passwords: this user is locked for 5 minutes."},
	"login.broken":          {"该用户的密码配置无法使用，请管理员用 wufang-hub hash-password 重新生成。", "This user's password hash is unusable: ask the administrator to make a new one with wufang-hub hash-password."},
	"overview.title":        {"各展室总览", "All rooms"},
	"site":                  {"展室", "Room"},
	"today":                 {"今日访客", "Visitors today"},
	"inroom":                {"室内人数", "In the room now"},
	"week":                  {"本周", "This week"},
	"year":                  {"今年", "This year"},
	"sessions":              {"今日互动次数", "Kiosk sessions today"},
	"sessions.n":            {"互动次数", "Kiosk sessions"},
	"devices":               {"设备在线", "Devices online"},
	"alerts":                {"告警", "Alerts"},
	"nodata":                {"暂无数据", "no data yet"},
	"incomplete":            {"不完整", "incomplete"},
	"counting":              {"统计中…", "counting…"},
	"tz":                    {"时区", "time zone"},
	"colon":                 {"：", ": "},
	"tz.unknown":            {"时区未知（设备尚未上报）", "time zone not known yet (no device has reported it)"},
	"live":                  {"实时更新", "live"},
	"live.off":              {"实时更新已断开，请刷新", "live updates stopped: reload the page"},
	"of":                    {"/", "of"},
	"complete":              {"数据完整", "complete"},
	"site.hours":            {"今日各时段入场（对比上周同日）", "Today's entries by hour (against the same weekday last week)"},
	"site.days":             {"近 %v 天每日入场", "Entries per day, last %v days"},
	"hour":                  {"时段", "Hour"},
	"date":                  {"日期", "Date"},
	"thisday":               {"今日", "Today"},
	"lastweek":              {"上周同日", "Same day last week"},
	"entries":               {"入场", "Entries"},
	"exits":                 {"离场", "Exits"},
	"ah":                    {"非开放时间入场", "After-hours entries"},
	"ahx":                   {"非开放时间离场", "After-hours exits"},
	"site.devices":          {"设备", "Devices"},
	"device":                {"设备", "Device"},
	"online":                {"在线", "online"},
	"offline":               {"离线", "offline"},
	"lastheard":             {"最后联络", "Last heard"},
	"completethrough":       {"完整至序号", "Complete through seq"},
	"backlog":               {"积压", "Backlog"},
	"dropped":               {"丢弃", "Dropped"},
	"sensors":               {"传感器", "Sensors"},
	"pack":                  {"内容包", "Pack"},
	"appver":                {"软件版本", "App version"},
	"offer":                 {"内容包发布", "Pack offer"},
	"offer.pending":         {"等待安装", "Pending"},
	"offer.installed":       {"已安装", "Installed"},
	"offer.refused":         {"已拒绝", "Refused"},
	"offer.rollback":        {"（回退）", "(rollback)"},
	"offer.scope.site":      {"发布给全站", "offered to the whole site"},
	"offer.scope.device":    {"只发布给此设备", "offered to this device"},
	"offer.offered":         {"发布于", "on"},
	"offer.devicesays":      {"设备原话：", "The device says:"},
	"offer.site":            {"全站发布", "Offered to the whole site"},
	"offer.withdraw":        {"撤回", "Withdraw"},
	"offer.previous":        {"发布上一版（回退）", "Offer the previous release (roll back)"},
	"offer.withdraw.site":   {"撤回全站发布", "Withdraw the site's offer"},
	"offer.previous.site":   {"全站发布上一版（回退）", "Offer the site the previous release (roll back)"},
	"offer.actions.note":    {"撤回后设备保留正在运行的内容包；回退时每台设备在无人参观且闭馆后回到上一版。", "Withdrawing leaves every device on the pack it runs; a rollback takes each device back to its previous pack when no visit runs and the room is closed."},
	"offer.done.withdraw":   {"已撤回发布。设备保留正在运行的内容包。", "The offer is withdrawn. The devices keep the pack they run."},
	"offer.done.previous":   {"已发布上一版作为回退。设备在无人参观且闭馆后安装，结果见下表。", "The previous release is offered as a rollback. The devices take it when no visit runs and the room is closed; the table shows how each one answers."},
	"offer.failed.withdraw": {"无法撤回发布。", "The offer could not be withdrawn."},
	"offer.failed.previous": {"无法发布上一版。", "The previous release could not be offered."},
	"offer.norelease":       {"内容包目录（content.packs_dir）里没有更早的已签名版本：先把上一版的 .wfpack 放进去。", "There is no older signed release in content.packs_dir: put the previous release's .wfpack there first."},
	"offer.baddevice":       {"设备名称无效。", "That is not a device id."},
	"why.waiting_visit":     {"等参观结束后安装", "Waits for the visit to end."},
	"why.waiting_hours":     {"等闭馆后安装（开放时间内不安装）", "Waits for the room to close (no installs during opening hours)."},
	"why.download":          {"下载失败，设备会稍后重试；请检查设备到中心服务器的网络", "The download failed; the device tries again later. Check the device's network to the hub."},
	"why.not_hub":           {"下载地址不是此设备配置的中心服务器（content.hub_url）：检查中心服务器的 content.public_url", "The download address is not this device's hub (content.hub_url): check the hub's content.public_url."},
	"why.file_changed":      {"中心服务器上的文件与发布时不一致（被更换或损坏）：重新发布该内容包", "The file on the hub is not the one offered (replaced or damaged): offer the pack again."},
	"why.certificate":       {"设备不信任中心服务器的证书：检查设备的 content.hub_ca_file", "The device does not trust the hub's certificate: check the device's content.hub_ca_file."},
	"why.too_big":           {"内容包超过设备的下载上限（content.max_download）", "The pack is above the device's download limit (content.max_download)."},
	"why.hub_error":         {"中心服务器返回错误：撤回后重新发布", "The hub answered with an error: withdraw the offer and offer the pack again."},
	"why.unknown_key":       {"签名密钥不受此设备信任：用受信任的密钥签名，或把公钥加入设备的 content.trusted_keys", "Signed with a key this device does not trust: sign with a trusted key, or add the key to the device's content.trusted_keys."},
	"why.unsigned":          {"内容包未签名：签名后再发布", "The pack is not signed: sign it, then offer it."},
	"why.bad_signature":     {"签名不符（签名后文件被改动）：取得签名后的原文件", "The signature does not match (changed after signing): get the file as it was signed."},
	"why.no_rollback":       {"此设备的上一个内容包不是这个版本，无法回退：改为作为新版本发布", "This device's previous pack is not this version, so it cannot roll back: offer it as a new release instead."},
	"why.downgrade":         {"版本比设备正在运行的旧：要回到旧版本请用“发布上一版”", "Older than the version the device runs: to go back, offer the previous release."},
	"why.app_too_old":       {"设备的软件版本太旧，不能运行此内容包：先升级设备软件", "The device's app is too old for this pack: update the app first."},
	"why.invalid":           {"内容包未通过检查：修正后重新发布", "The pack has problems the validator found: fix them and offer it again."},
	"why.not_offered":       {"文件里的内容包不是所发布的那个：重新发布", "The file holds another pack than the one offered: offer it again."},
	"why.damaged":           {"文件不是完整的内容包：重新生成后发布", "The file is not a sound pack: build it again, then offer it."},
	"why.staff_choice":      {"设备安装此发布后，现场工作人员改用了其他内容包（回退或内置内容包），设备保留他们的选择：要再次安装，请重新发布", "Staff at the device chose another pack (a rollback or the built-in pack) after this offer was installed; the device keeps their choice. To install it again, offer it again."},
	"state":                 {"状态", "State"},
	"funnel":                {"课程漏斗", "Module funnel"},
	"module":                {"课程", "Module"},
	"started":               {"开始", "Started"},
	"completed":             {"完成", "Completed"},
	"passed":                {"通过", "Passed"},
	"hardest":               {"最难的题目（至少 %v 人作答）", "Hardest questions (at least %v answers)"},
	"question":              {"题目", "Question"},
	"wrongshare":            {"答错比例", "Wrong"},
	"answers":               {"作答数", "Answers"},
	"feedback":              {"满意度", "Feedback"},
	"fb1":                   {"不满意", "Not satisfied"},
	"fb2":                   {"一般", "OK"},
	"fb3":                   {"满意", "Satisfied"},
	"afterhours":            {"非开放时间", "After hours"},
	"since":                 {"开始于", "Since"},
	"noalerts":              {"无告警", "No open alerts"},
	"range30":               {"近 30 天", "last 30 days"},
	"report.title":          {"报表", "Report"},
	"report.allsites":       {"全部展室", "All rooms"},
	"report.month":          {"月份", "Month"},
	"report.from":           {"从", "From"},
	"report.to":             {"至", "To"},
	"report.show":           {"生成", "Show"},
	"report.csv":            {"下载 CSV", "Download CSV"},
	"report.xlsx":           {"下载 Excel", "Download XLSX"},
	"report.print":          {"打印：用浏览器的打印功能（A4）", "Print: use the browser's Print (A4)"},
	"report.totals":         {"合计", "Totals"},
	"report.daily":          {"每日", "Per day"},
	"report.busydays":       {"最忙的日子", "Busiest days"},
	"report.busyhours":      {"最忙的时段（按入场）", "Busiest hours (by entries)"},
	"report.partial":        {"部分日期数据来自事件而非设备的日结，可能不完整", "some days are counted from the events received, not from the devices' closed-day counts, and may be incomplete"},
	"report.incomplete":     {"以下展室的数字还不完整，之后可能会变：", "These rooms' numbers are not all in yet and may still change:"},
	"unknown.site":          {"没有这个展室", "No such room"},
	"alert.kind":            {"告警", "Alert"},
	"alert.message":         {"说明", "What it means"},
	"alert.device_offline":  {"设备离线", "Device offline"},
	"alert.sensor_fault":    {"传感器故障", "Sensor fault"},
	"alert.backlog_growing": {"积压持续增长", "Backlog growing"},
	"alert.door_imbalance":  {"进出人数不平衡", "Door imbalance"},
	"alert.sessions_low":    {"互动次数过低", "Few kiosk sessions"},
	"lang.zh":               {"中文", "Chinese"},
	"lang.en":               {"英文", "English"},
	"report.hoursnote":      {"日期范围超过 %v 天，不列出最忙的时段", "not shown for a range longer than %v days"},
	"generated":             {"生成于", "Generated"},
	"open":                  {"未配置工作人员登录：本机上的任何人都能打开此页面。用 wufang-hub hash-password 生成密码，写入配置的 http.users。", "No staff login is configured: anyone on this machine can open this page. Make a password with wufang-hub hash-password and add it under http.users in the config."},
}

// T returns the message key in l.
func (l Lang) T(key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if l == EN {
		return m[1]
	}
	return m[0]
}

// Tf is T with values put in (the message's verbs, %v or %[1]s).
func (l Lang) Tf(key string, args ...any) string {
	return fmt.Sprintf(l.T(key), args...)
}

// Num writes n with thousands separators (both languages group by three
// with a comma in figures).
func (l Lang) Num(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Pct writes a share as a percentage.
func (l Lang) Pct(f float64) string {
	return strconv.FormatFloat(f*100, 'f', 0, 64) + "%"
}

var zhWeekdays = [7]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// Date writes a yyyy-mm-dd day: 2026年12月3日 周四, Thu 3 Dec 2026.
func (l Lang) Date(day string) string {
	t, err := time.Parse("2006-01-02", day)
	if err != nil {
		return day
	}
	if l == EN {
		return t.Format("Mon 2 Jan 2006")
	}
	return fmt.Sprintf("%d年%d月%d日 %s", t.Year(), t.Month(), t.Day(), zhWeekdays[t.Weekday()])
}

// ShortDate writes a day without the year: 12月3日, 3 Dec.
func (l Lang) ShortDate(day string) string {
	t, err := time.Parse("2006-01-02", day)
	if err != nil {
		return day
	}
	if l == EN {
		return t.Format("2 Jan")
	}
	return fmt.Sprintf("%d月%d日", t.Month(), t.Day())
}

// Month writes yyyy-mm: 2026年12月, December 2026.
func (l Lang) Month(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return m
	}
	if l == EN {
		return t.Format("January 2006")
	}
	return fmt.Sprintf("%d年%d月", t.Year(), t.Month())
}

// Time writes an instant in loc: the date and 24-hour time, as both
// languages write them, and the zone's offset (UTC+8), so a time is never
// read as another zone's.
func (l Lang) Time(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	t = t.In(loc)
	if l == EN {
		return t.Format("2 Jan 2006 15:04") + " " + zoneLabel(t)
	}
	return fmt.Sprintf("%d年%d月%d日 %s %s", t.Year(), t.Month(), t.Day(), t.Format("15:04"), zoneLabel(t))
}

// with returns the URL of r with the query key set to value.
func with(u *url.URL, key, value string) string {
	q := u.Query()
	q.Set(key, value)
	return u.Path + "?" + q.Encode()
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
