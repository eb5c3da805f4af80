package hub

import (
	"os"
	"strings"
	"testing"
)

// The phrases WhyOf looks for are the contract's: CONTRACT.md lists each
// one (in backticks), so a device's wording and the hub's sorting cannot
// drift apart without the contract saying so.
func TestWhyPhrasesInContract(t *testing.T) {
	b, err := os.ReadFile("../wire/CONTRACT.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, p := range whyPhrases {
		if !strings.Contains(doc, "`"+p.phrase+"`") {
			t.Errorf("CONTRACT.md does not list the reason phrase `%s` (%s)", p.phrase, p.why)
		}
	}
	for _, e := range damagedPhrases {
		if !strings.Contains(doc, "`"+e.Error()+"`") {
			t.Errorf("CONTRACT.md does not list the reason phrase `%s`", e.Error())
		}
	}
}
