package hub

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/content/builtin"
)

// Questions holds the question texts of the packs the hub knows, by pack
// id and step id: the built-in pack, and every .wfpack in a folder whose
// signature verifies with the trusted keys (the same check a kiosk makes
// before it installs one). Answers are joined to it by the pack id the
// devices report in their status.
type Questions struct {
	texts map[string]map[string]content.Text
}

// LoadQuestions reads the built-in pack and the .wfpack files of dir ("" for
// none). A file that cannot be read or does not verify is skipped and
// reported in problems; the rest still load.
func LoadQuestions(dir string, trusted []content.PublicKey) (q *Questions, problems []error) {
	q = &Questions{texts: map[string]map[string]content.Text{}}
	if p, err := content.Load(builtin.FS()); err == nil {
		q.add(p)
	} else {
		problems = append(problems, fmt.Errorf("built-in pack: %w", err))
	}
	if dir == "" {
		return q, problems
	}
	names, err := filepath.Glob(filepath.Join(dir, "*.wfpack"))
	if err != nil {
		return q, append(problems, err)
	}
	slices.Sort(names)
	for _, name := range names {
		w, err := content.OpenWfpack(name)
		if err == nil {
			_, err = w.Verify(trusted, false)
		}
		var p *content.Pack
		if err == nil {
			p, err = content.Load(w.FS)
		}
		if err != nil {
			problems = append(problems, fmt.Errorf("%s: %w", name, err))
			continue
		}
		q.add(p)
	}
	return q, problems
}

func (q *Questions) add(p *content.Pack) {
	steps := map[string]content.Text{}
	for _, m := range p.Mods {
		for _, s := range m.Steps {
			if !content.Question(s.Type) {
				continue
			}
			t := s.Prompt
			if len(t) == 0 {
				t = s.Title
			}
			steps[s.ID] = t
		}
	}
	q.texts[p.ID] = steps
}

// Lookup returns a step's question per language, nil when the pack or the
// step is unknown. It fits Options.Questions.
func (q *Questions) Lookup(pack, step string) map[string]string {
	if q == nil {
		return nil
	}
	return q.texts[pack][step]
}
