package content

import (
	"os"
	"testing"
)

func TestGoodPackIsClean(t *testing.T) {
	p, probs := Check(os.DirFS("testdata/good"))
	if p == nil || len(probs) != 0 {
		t.Fatalf("testdata/good: want no problems, got:\n%v", probs)
	}
	if len(p.Mods) != 1 || len(p.Mods[0].Steps) != 5 {
		t.Fatalf("loaded %d modules", len(p.Mods))
	}
}
