package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/wufang-kiosk/wufang/content"
)

// editor logs in the user with the content role.
func (f *fixture) editor(t *testing.T) *http.Client { t.Helper(); return f.loggedIn(t, testEditor) }

// newDraft starts a draft from the built-in pack and returns its id.
func (f *fixture) newDraft(t *testing.T, c *http.Client) string {
	t.Helper()
	resp := f.post(t, c, "/studio/new", url.Values{"source": {"builtin"}, "name": {"spring fair"}})
	loc := resp.Header.Get("Location")
	id, ok := strings.CutPrefix(loc, "/studio/d/")
	if resp.StatusCode != http.StatusSeeOther || !ok {
		t.Fatalf("new draft: %s %s", resp.Status, loc)
	}
	return id
}

// formOf returns the values a browser would send for the studio form of
// page (inputs, textareas, selected options, checked boxes), without a
// button's op.
func formOf(t *testing.T, body string) url.Values {
	t.Helper()
	root := doc(t, body)
	form := byID(t, root, "studio-form")
	vals := url.Values{}
	for _, n := range find(form, func(n *html.Node) bool { return n.Data == "input" || n.Data == "textarea" || n.Data == "select" }) {
		name, _ := attr(n, "name")
		if name == "" {
			continue
		}
		typ, _ := attr(n, "type")
		switch {
		case n.Data == "textarea":
			vals.Add(name, text(n))
		case n.Data == "select":
			for _, o := range find(n, func(o *html.Node) bool { return o.Data == "option" }) {
				if _, sel := attr(o, "selected"); sel {
					v, _ := attr(o, "value")
					vals.Add(name, v)
				}
			}
		case typ == "checkbox" || typ == "radio":
			if _, on := attr(n, "checked"); on {
				v, _ := attr(n, "value")
				vals.Add(name, v)
			}
		case typ == "file" || typ == "submit":
		default:
			v, _ := attr(n, "value")
			vals.Add(name, v)
		}
	}
	return vals
}

// TestStudioEdit: a draft from the built-in pack; a question changed in
// both languages on its step page is saved as revision 2 by its editor,
// and the validator's problem of an emptied translation shows next to
// its field; steps are added, moved and deleted by buttons; a save on an
// old revision is refused.
func TestStudioEdit(t *testing.T) {
	f := newFixture(t)
	c := f.editor(t)
	id := f.newDraft(t, c)
	code, body := get(t, c, f.srv.URL+"/studio?lang=en")
	if code != 200 || !strings.Contains(body, "/studio/d/"+id) || !strings.Contains(body, "spring fair") {
		t.Fatalf("index: %d", code)
	}
	code, body = get(t, c, f.srv.URL+"/studio/d/"+id+"?lang=en")
	if code != 200 || !strings.Contains(body, `id="mod-fire"`) {
		t.Fatalf("pack page: %d %.500s", code, body)
	}
	// The fire module's first choice.
	p, _ := f.web.opts.Studio.Store.Revision(ctx, id, 0)
	pk, _ := p.Files.Load()
	qi := -1
	for i, s := range pk.Mods[1].Steps {
		if s.Type == content.Choice {
			qi = i
			break
		}
	}
	stepURL := f.srv.URL + "/studio/d/" + id + "/m/fire/s/" + itoa(qi)
	code, body = get(t, c, stepURL+"?lang=en")
	if code != 200 {
		t.Fatalf("step page: %d %.300s", code, body)
	}
	vals := formOf(t, body)
	zh, en := "f:modules/fire.yaml|steps["+itoa(qi)+"].prompt.zh-CN", "f:modules/fire.yaml|steps["+itoa(qi)+"].prompt.en"
	if vals.Get(zh) == "" || vals.Get(en) == "" {
		t.Fatalf("the form has no prompt fields %s: %v", zh, vals)
	}
	vals.Set(zh, "着火了，第一件事做什么？")
	vals.Set(en, "")
	vals.Set("op", "save")
	resp := f.post(t, c, "/studio/d/"+id+"/save", vals)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "saved=2") {
		t.Fatalf("save: %s %s", resp.Status, resp.Header.Get("Location"))
	}
	r2, _ := f.web.opts.Studio.Store.Revision(ctx, id, 0)
	if r2.Rev != 2 || r2.Author != testEditor || !strings.Contains(string(r2.Files["modules/fire.yaml"]), "着火了，第一件事做什么？") {
		t.Fatalf("revision %d by %s", r2.Rev, r2.Author)
	}
	// The emptied English is a problem next to its field.
	_, body = get(t, c, stepURL+"?lang=en")
	root := doc(t, body)
	fld := byID(t, root, anchor("steps["+itoa(qi)+"].prompt"))
	if got := text(fld); !strings.Contains(got, "has no en text") {
		t.Errorf("the prompt field shows %q", got)
	}
	// Fix it.
	vals = formOf(t, body)
	vals.Set(en, "There is a fire. What do you do first?")
	resp = f.post(t, c, "/studio/d/"+id+"/save", vals)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatal(resp.Status)
	}
	_, body = get(t, c, stepURL+"?lang=en")
	if strings.Contains(body, "has no en text") {
		t.Error("the fixed problem still shows")
	}
	// A save on the old revision (another tab) is refused, nothing saved.
	vals.Set("base", "2")
	if resp := f.post(t, c, "/studio/d/"+id+"/save", vals); resp.StatusCode != http.StatusConflict {
		t.Errorf("a stale save: %s", resp.Status)
	}
	// Buttons: add a hotspot step, move the first step down, delete.
	modURL := f.srv.URL + "/studio/d/" + id + "/m/fire"
	_, body = get(t, c, modURL)
	vals = formOf(t, body)
	n := len(pk.Mods[1].Steps)
	vals.Set("op", "addstep:modules/fire.yaml")
	vals.Set("steptype", "hotspot")
	if resp := f.post(t, c, "/studio/d/"+id+"/save", vals); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add step: %s", resp.Status)
	}
	cur := func() *content.Module {
		r, _ := f.web.opts.Studio.Store.Revision(ctx, id, 0)
		p, err := r.Files.Load()
		if err != nil {
			t.Fatal(err)
		}
		return p.Mods[1]
	}
	if m := cur(); len(m.Steps) != n+1 || m.Steps[n].Type != "hotspot" {
		t.Fatalf("after add: %d steps", len(m.Steps))
	}
	first := cur().Steps[0].ID
	_, body = get(t, c, modURL)
	vals = formOf(t, body)
	vals.Set("op", "down:modules/fire.yaml|steps[0]")
	f.post(t, c, "/studio/d/"+id+"/save", vals)
	if m := cur(); m.Steps[1].ID != first {
		t.Errorf("after down: %s", m.Steps[1].ID)
	}
	_, body = get(t, c, modURL)
	vals = formOf(t, body)
	vals.Set("op", "del:modules/fire.yaml|steps["+itoa(n)+"]")
	f.post(t, c, "/studio/d/"+id+"/save", vals)
	if m := cur(); len(m.Steps) != n {
		t.Errorf("after delete: %d steps", len(m.Steps))
	}
	revs, _ := f.web.opts.Studio.Store.Revisions(ctx, id)
	if len(revs) != 6 {
		t.Errorf("%d revisions, want 6 (start, 2 saves, add, move, delete)", len(revs))
	}
	// Every page of the draft draws.
	for _, m := range pk.Mods {
		for i := range m.Steps {
			if code, body := get(t, c, f.srv.URL+"/studio/d/"+id+"/m/"+m.ID+"/s/"+itoa(i)); code != 200 {
				t.Fatalf("%s step %d: %d %.300s", m.ID, i, code, body)
			}
		}
	}
	if code, _ := get(t, c, f.srv.URL+"/studio/d/0123456789abcdef"); code != http.StatusNotFound {
		t.Errorf("no such draft: %d", code)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
