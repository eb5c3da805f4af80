package ui

import (
	"fmt"
	"strings"

	"github.com/wufang-kiosk/wufang/content"
)

// msgs holds the kiosk's own words (buttons, headings) in every language it
// ships; a pack's texts come from the pack.
var msgs = map[string]map[string]string{
	"touch":          {"zh-CN": "触摸屏幕开始", "en": "Touch to start"},
	"next":           {"zh-CN": "下一步", "en": "Next"},
	"more":           {"zh-CN": "继续阅读", "en": "More"},
	"confirm":        {"zh-CN": "确定", "en": "Confirm"},
	"back":           {"zh-CN": "返回", "en": "Back"},
	"undo":           {"zh-CN": "撤销", "en": "Undo"},
	"home":           {"zh-CN": "首页", "en": "Home"},
	"right":          {"zh-CN": "答对了！", "en": "That's right!"},
	"wrong":          {"zh-CN": "不太对", "en": "Not quite"},
	"step":           {"zh-CN": "第 %d / %d 步", "en": "Step %d of %d"},
	"choose":         {"zh-CN": "选出正确答案", "en": "Choose the right answer"},
	"chooseAll":      {"zh-CN": "选出所有正确答案，然后点“确定”", "en": "Choose every right answer, then Confirm"},
	"chooseAllShort": {"zh-CN": "可多选，选好点“确定”", "en": "Pick all, then Confirm"},
	"btnStart":       {"zh-CN": "开始", "en": "Start"},
	"btnHere":        {"zh-CN": "我还在", "en": "I'm here"},
	"btnPrev":        {"zh-CN": "上一个", "en": "Previous"},
	"btnNextTile":    {"zh-CN": "下一个", "en": "Next topic"},
	"btnOpen":        {"zh-CN": "打开", "en": "Open"},
	"btnChoose":      {"zh-CN": "选择", "en": "Choose"},
	"btnPick":        {"zh-CN": "放入下一格", "en": "Place next"},
	"btnCheck":       {"zh-CN": "查看方框", "en": "Look in the box"},
	"btnMove":        {"zh-CN": "移动方框", "en": "Move the box"},
	"btnRate":        {"zh-CN": "评价", "en": "Rate"},
	"btnSkip":        {"zh-CN": "跳过", "en": "Skip"},
	"btnDone":        {"zh-CN": "结束", "en": "Done"},
	"orderHint":      {"zh-CN": "按正确顺序依次点击", "en": "Tap them in the right order"},
	"orderFirst":     {"zh-CN": "第一步是哪个？", "en": "Which comes first?"},
	"orderNext":      {"zh-CN": "下一步是哪个？", "en": "Which comes next?"},
	"orderWrong":     {"zh-CN": "不是这个", "en": "Not that one"},
	"orderTryAgain":  {"zh-CN": "还不到它，再选一个", "en": "Not yet: try another"},
	"rightOrder":     {"zh-CN": "正确顺序", "en": "The right order"},
	"found":          {"zh-CN": "已找到 %d / %d", "en": "Found %d of %d"},
	"showMe":         {"zh-CN": "告诉我", "en": "Show me"},
	"tapHint":        {"zh-CN": "在图中点出危险", "en": "Tap the dangers in the picture"},
	"whatNow":        {"zh-CN": "你会怎么做？", "en": "What do you do?"},
	"story":          {"zh-CN": "故事", "en": "A story"},
	"begin":          {"zh-CN": "开始", "en": "Start"},
	"tryAgain":       {"zh-CN": "再试一次", "en": "Try again"},
	"goOn":           {"zh-CN": "继续", "en": "Go on"},
	"advice":         {"zh-CN": "现在怎么办", "en": "What to do now"},
	"safe":           {"zh-CN": "这个是安全的：%s", "en": "That one is safe: %s"},
	"goodEnd":        {"zh-CN": "做得好！", "en": "Well done!"},
	"badEnd":         {"zh-CN": "这样做有危险", "en": "That was risky"},
	"score":          {"zh-CN": "答对 %d / %d 题", "en": "%d of %d right"},
	"passed":         {"zh-CN": "恭喜过关！", "en": "You passed!"},
	"notPassed":      {"zh-CN": "再试一次会更好", "en": "Try again to pass"},
	"noQuiz":         {"zh-CN": "学习完成", "en": "Module complete"},
	"remember":       {"zh-CN": "请记住", "en": "Remember"},
	"call":           {"zh-CN": "紧急求助请拨打", "en": "In an emergency, call"},
	"callFor":        {"zh-CN": "%s请拨打", "en": "%s: call"},
	"visitor":        {"zh-CN": "你是今天第 %d 位体验者", "en": "You are visitor %d today"},
	"finish":         {"zh-CN": "完成", "en": "Finish"},
	"more5":          {"zh-CN": "选择其他主题", "en": "More topics"},
	"howWas":         {"zh-CN": "你对这次体验满意吗？", "en": "How was your visit?"},
	"rate3":          {"zh-CN": "满意", "en": "Satisfied"},
	"rate2":          {"zh-CN": "一般", "en": "OK"},
	"rate1":          {"zh-CN": "不满意", "en": "Not satisfied"},
	"thanks":         {"zh-CN": "谢谢参与！", "en": "Thank you!"},
	"staySafe":       {"zh-CN": "注意安全，下次见", "en": "Stay safe, see you next time"},
	"closed":         {"zh-CN": "暂停开放", "en": "Closed"},
	"hours":          {"zh-CN": "开放时间", "en": "Opening hours"},
	"still":          {"zh-CN": "还在吗？", "en": "Still there?"},
	"tapGoOn":        {"zh-CN": "点击屏幕继续", "en": "Tap to carry on"},
	"pick":           {"zh-CN": "选择一个主题开始", "en": "Pick a topic to start"},
	"done":           {"zh-CN": "已完成", "en": "Done"},
	"page":           {"zh-CN": "%d / %d 页", "en": "Page %d of %d"},
}

// langNames are the language switch labels, each in its own language.
var langNames = map[string]string{"zh-CN": "中文", "en": "English"}

// msg returns the kiosk text key in lang (English, then the key, as fallbacks),
// formatted with args when given.
func msg(lang, key string, args ...any) string {
	m := msgs[key]
	s, ok := m[lang]
	if !ok {
		if s, ok = m[baseLang(lang)]; !ok {
			if s, ok = m["en"]; !ok {
				s = key
			}
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// both returns key in Chinese and English, for screens every visitor must
// understand before choosing a language (attract, closed).
func both(key string, sep string) string {
	return msg("zh-CN", key) + sep + msg("en", key)
}

func baseLang(l string) string {
	if i := strings.IndexByte(l, '-'); i > 0 {
		return l[:i]
	}
	return l
}

// tr picks a pack text in lang, falling back to the pack's default language
// and then to any text at all, so a gap in a pack never shows an empty label.
func tr(t content.Text, lang string, p *content.Pack) string {
	if s, ok := t[lang]; ok && s != "" {
		return s
	}
	if p != nil && len(p.Languages) > 0 {
		if s := t[p.Languages[0]]; s != "" {
			return s
		}
	}
	for _, l := range []string{"zh-CN", "en"} {
		if s := t[l]; s != "" {
			return s
		}
	}
	for _, s := range t {
		return s
	}
	return ""
}

func langName(l string) string {
	if n, ok := langNames[l]; ok {
		return n
	}
	return l
}
