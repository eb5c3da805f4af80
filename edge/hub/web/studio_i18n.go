package web

// studioMessages are the studio's words (and the role and CSRF refusals),
// kept apart from the dashboard's so the two grow without touching each
// other; init adds them to messages, whose test checks both languages.
var studioMessages = map[string][2]string{ // [zh, en]
	"csrf.refused": {"这个表单已过期或不是从本看板提交的，操作没有执行。请返回上一页，刷新后再提交一次。",
		"This form has expired or did not come from this dashboard, so nothing was changed. Go back, reload the page and send it again."},
	"role.missing": {"你的账号（%s）没有编辑内容包的权限。请管理员在 hub.yaml 的 http.roles 中为 %s 加上 content，然后重启 wufang-hub。",
		"Your login (%s) may not edit content packs. Ask the hub's administrator to add content to http.roles.%s in hub.yaml and restart wufang-hub."},
	"role.open": {"内容工作室需要工作人员登录：请管理员用 wufang-hub hash-password 添加用户，并在 http.roles 中给该用户 content 权限。",
		"The studio needs a staff login: ask the administrator to add a user (wufang-hub hash-password) and give them the content role in http.roles."},
	"nav.studio":     {"内容工作室", "Studio"},
	"studio.title":   {"内容工作室", "Content studio"},
	"studio.intro":   {"在浏览器里编辑展室的内容包：从内置内容包或已安装的 .wfpack 开始，保存草稿，发布版本。", "Edit the rooms' content packs in the browser: start from the built-in pack or an installed .wfpack, save drafts, publish releases."},
	"studio.builtin": {"内置内容包", "Built-in pack"},
}

func init() {
	for k, v := range studioMessages {
		messages[k] = v
	}
}
