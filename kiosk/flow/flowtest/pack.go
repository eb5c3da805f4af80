package flowtest

import "github.com/wufang-kiosk/wufang/content"

func t(zh, en string) content.Text { return content.Text{"zh-CN": zh, "en": en} }

// Pack returns a new small bilingual (zh-CN, en) pack built in code with
// every step type, for tests. Modules, in home order:
//
//	0 fire:     lesson, choice (one right: option 1), choice (right: 0 and 2),
//	            order (5 items), hotspot (2 targets: top left, bottom right; a decoy bottom left),
//	            scenario (s1 -b0-> s2 -b0-> good outcome; any b1 -> bad outcome)
//	1 traffic:  choice (one right: option 0); pass score 100
//	2 fraud:    lesson only (no questions)
//
// Pass score of fire is 60.
func Pack() *content.Pack {
	fire := &content.Module{
		ID: "fire", Title: t("消防安全", "Fire safety"), Summary: t("火灾怎么办", "What to do in a fire"),
		Colour: "#D32F2F", Icon: "media/fire.png", Hotline: content.Hotline{Number: "119", Label: t("火警", "Fire")},
		PassScore: 60, Remember: t("先逃生,再报警", "Get out first, then call 119"),
		Steps: []content.Step{
			{ID: "fire-lesson", Type: content.Lesson, Title: t("火灾", "Fire"), Body: t("火很危险。", "Fire is dangerous.")},
			{ID: "fire-exit", Type: content.Choice, Title: t("逃生", "Escape"), Prompt: t("着火了,走哪里?", "Fire! Which way?"),
				Options: []content.Option{
					{Text: t("电梯", "The lift")},
					{Text: t("楼梯", "The stairs"), Correct: true},
					{Text: t("窗户", "The window")},
				},
				Explanation: t("火灾时不要乘电梯。", "Never take the lift in a fire.")},
			{ID: "fire-items", Type: content.Choice, Title: t("灭火", "Putting out"), Prompt: t("哪些能灭油锅火?", "What puts out a pan fire?"),
				Options: []content.Option{
					{Text: t("锅盖", "A lid"), Correct: true},
					{Text: t("水", "Water")},
					{Text: t("灭火毯", "A fire blanket"), Correct: true},
					{Text: t("扇子", "A fan")},
				},
				Explanation: t("盖住,隔绝空气。", "Cover it to cut off the air.")},
			{ID: "fire-order", Type: content.Order, Title: t("顺序", "Order"), Prompt: t("按顺序排列", "Put in order"),
				Items:       []content.Text{t("拔销", "Pull the pin"), t("握管", "Aim the hose"), t("压把", "Squeeze"), t("扫射", "Sweep"), t("检查", "Check")},
				Explanation: t("拔、握、压、扫。", "Pull, aim, squeeze, sweep.")},
			{ID: "fire-hazards", Type: content.Hotspot, Title: t("找隐患", "Find hazards"), Prompt: t("点出两个隐患", "Tap the two hazards"),
				Image: "media/kitchen.png",
				Targets: []content.Target{
					{ID: "plug", Label: t("插座过载", "Overloaded socket"), X: 0.05, Y: 0.05, W: 0.15, H: 0.15},
					{ID: "pan", Label: t("无人看管的锅", "Unattended pan"), X: 0.75, Y: 0.75, W: 0.2, H: 0.2},
				},
				Decoys: []content.Target{
					{ID: "cup", Label: t("一杯水，是安全的。", "A glass of water: safe."), X: 0.05, Y: 0.75, W: 0.1, H: 0.1},
				},
				Explanation: t("插座和锅。", "The socket and the pan.")},
			{ID: "fire-smoke", Type: content.Scenario, Title: t("浓烟", "Smoke"), Prompt: t("你闻到烟味", "You smell smoke"), Start: "s1",
				Situations: []content.Situation{
					{ID: "s1", Text: t("走廊有烟。", "Smoke in the corridor."), Choices: []content.Branch{
						{Text: t("弯腰走", "Stay low"), Consequence: t("好。", "Good."), Next: "s2"},
						{Text: t("跑", "Run"), Consequence: t("吸入烟雾。", "You breathe smoke."), Outcome: "bad"},
					}},
					{ID: "s2", Text: t("到了门口。", "At the door."), Choices: []content.Branch{
						{Text: t("摸门", "Feel the door"), Consequence: t("门是凉的。", "It is cool."), Outcome: "good"},
						{Text: t("开门", "Open it"), Consequence: t("火冲进来。", "Fire rushes in."), Outcome: "bad"},
						{Text: t("等", "Wait"), Consequence: t("烟更大。", "More smoke."), Outcome: "bad"},
					}},
				},
				Outcomes: []content.Outcome{
					{ID: "good", Good: true, Title: t("安全", "Safe"), Text: t("你安全了。", "You are safe.")},
					{ID: "bad", Title: t("危险", "Danger"), Text: t("再想想。", "Think again.")},
				}},
		},
	}
	traffic := &content.Module{
		ID: "traffic", Title: t("交通安全", "Road safety"), Summary: t("过马路", "Crossing the road"), Colour: "#1976D2",
		Icon: "media/traffic.png", Remember: t("红灯停", "Stop at red"),
		Hotline: content.Hotline{Number: "122", Label: t("交通事故", "Traffic")}, PassScore: 100,
		Steps: []content.Step{
			{ID: "traffic-light", Type: content.Choice, Prompt: t("红灯时?", "At a red light?"),
				Options:     []content.Option{{Text: t("停", "Stop"), Correct: true}, {Text: t("走", "Go")}},
				Explanation: t("红灯停,绿灯行。", "Red means stop.")},
		},
	}
	fraud := &content.Module{
		ID: "fraud", Title: t("防诈骗", "Fraud"), Summary: t("保护钱包", "Keep your money"), Colour: "#7B1FA2",
		Icon: "media/fraud.png", Remember: t("不转账", "Never transfer"),
		Hotline: content.Hotline{Number: "96110", Label: t("反诈", "Anti-fraud")}, PassScore: 60,
		Steps: []content.Step{
			{ID: "fraud-lesson", Type: content.Lesson, Title: t("诈骗", "Fraud"), Body: t("不要转账。", "Never transfer money.")},
		},
	}
	return &content.Pack{
		Format: content.Format, ID: "flowtest", Version: "1.0.0", Title: t("测试", "Test"),
		Languages: []string{"zh-CN", "en"}, Modules: []string{"fire", "traffic", "fraud"},
		Attract: []content.Slide{
			{Title: t("欢迎", "Welcome"), Seconds: 5},
			{Title: t("五防", "Five preventions")},
			{Title: t("来试试", "Try it")},
		},
		Mods: []*content.Module{fire, traffic, fraud},
	}
}
