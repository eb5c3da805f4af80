package content_test

import (
	"fmt"
	"testing/fstest"

	"github.com/wufang-kiosk/wufang/content"
)

// Check lists every problem of a pack, located and worded for staff.
func ExampleCheck() {
	pack := fstest.MapFS{
		"pack.yaml": {Data: []byte(`format: wufang-pack/1
id: demo
version: 1.0.0
title: {zh-CN: 演示, en: Demo}
languages: [zh-CN, en]
modules: [fire]
attract:
  - title: {zh-CN: 触摸开始, en: Touch to start}
`)},
		"modules/fire.yaml": {Data: []byte(`id: fire
title: {zh-CN: 消防, en: Fire}
summary: {zh-CN: 拨打119, en: Call 119}
colour: "#C62828"
icon: media/fire.svg
hotline: {number: "119", label: {zh-CN: 火警, en: Fire}}
pass_score: 60
remember: {zh-CN: 先逃生, en: Get out first}
steps:
  - id: lift
    type: choice
    prompt: {zh-CN: 着火时坐电梯吗？, en: "Take the lift in a fire?"}
    options:
      - text: {zh-CN: 坐, en: "Yes"}
    explanation: {zh-CN: 电梯会停。, en: Lifts stop.}
`)},
		"media/fire.svg": {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"/>`)},
	}
	_, problems := content.Check(pack)
	for _, p := range problems {
		fmt.Println(p)
	}
	// Output:
	// modules/fire.yaml:14:7: error: steps[0].options: a choice step needs at least 2 options, and it has 1; add options
	// modules/fire.yaml:14:7: error: steps[0].options: no option is marked correct; add correct: true to the right answer (or answers)
}
