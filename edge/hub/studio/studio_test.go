package studio

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wufang-kiosk/wufang/content"
	"github.com/wufang-kiosk/wufang/content/builtin"
	"github.com/wufang-kiosk/wufang/edge/hub/db"
	"github.com/wufang-kiosk/wufang/edge/hub/pgtest"
)

var ctx = context.Background()

func builtinFiles(t testing.TB) Files {
	t.Helper()
	f, err := FromFS(builtin.FS())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestRoundTrip: the built-in pack decoded and written back by the studio
// decodes to the same pack, validates the same, and writing it again
// changes no byte.
func TestRoundTrip(t *testing.T) {
	f := builtinFiles(t)
	p, err := f.Load()
	if err != nil {
		t.Fatal(err)
	}
	_, before := f.Check()
	g := f.Clone()
	if err := g.Put(p); err != nil {
		t.Fatal(err)
	}
	q, err := g.Load()
	if err != nil {
		t.Fatalf("the written pack does not load: %v\n%s", err, g["modules/fire.yaml"])
	}
	if !reflect.DeepEqual(p.Mods, q.Mods) || !reflect.DeepEqual(p.Attract, q.Attract) || p.Version != q.Version || !reflect.DeepEqual(p.Title, q.Title) {
		t.Error("the pack changed on the way through the studio")
	}
	_, after := g.Check()
	if len(before) != len(after) {
		t.Errorf("problems before %d, after %d: %v", len(before), len(after), after)
	}
	h := g.Clone()
	if err := h.Put(q); err != nil {
		t.Fatal(err)
	}
	for n := range g {
		if !bytes.Equal(g[n], h[n]) {
			t.Errorf("%s changed when written twice", n)
		}
	}
	if !strings.Contains(string(g["modules/fire.yaml"]), `colour: '#C62828'`) && !strings.Contains(string(g["modules/fire.yaml"]), `colour: "#C62828"`) {
		t.Errorf("the colour is not quoted:\n%.400s", g["modules/fire.yaml"])
	}
}

// TestEdits: fields set by the validator's key paths, lists grown,
// shrunk and reordered; the validator sees each change.
func TestEdits(t *testing.T) {
	f := builtinFiles(t)
	p, _ := f.Load()
	const file = "modules/fire.yaml"
	fire := p.Mods[1]
	if fire.ID != "fire" {
		t.Fatalf("module 1 is %s", fire.ID)
	}
	qi := -1
	for i, s := range fire.Steps {
		if s.Type == content.Choice {
			qi = i
			break
		}
	}
	key := "steps[" + itoa(qi) + "]"
	for _, tc := range []struct{ key, value string }{
		{key + ".prompt.zh-CN", "新问题？"},
		{key + ".prompt.en", "A new question?"},
		{key + ".options[0].correct", "true"},
		{"pass_score", "70"},
	} {
		if err := Set(p, file, tc.key, tc.value); err != nil {
			t.Fatalf("set %s: %v", tc.key, err)
		}
	}
	if got := fire.Steps[qi].Prompt; got["zh-CN"] != "新问题？" || got["en"] != "A new question?" || fire.PassScore != 70 {
		t.Errorf("after the edits: %v %d", got, fire.PassScore)
	}
	// An emptied language is missing, and the validator says so there.
	if err := Set(p, file, key+".prompt.en", "  "); err != nil {
		t.Fatal(err)
	}
	g := f.Clone()
	if err := g.Put(p); err != nil {
		t.Fatal(err)
	}
	_, probs := g.Check()
	if !hasProblem(probs, file, key+".prompt", "has no en text") {
		t.Errorf("no missing-translation problem at %s.prompt: %v", key, probs)
	}
	for _, bad := range []struct{ file, key, value string }{
		{file, "pass_score", "seventy"},
		{file, "steps[999].prompt.en", "x"},
		{file, "nosuch", "x"},
		{file, "id", "fire2"},
		{"modules/nosuch.yaml", "pass_score", "1"},
		{file, key + ".prompt.en.x", "x"},
		{file, "steps[-1].title.en", "x"},
		{file, key + ".prompt.en", strings.Repeat("长", MaxValue)},
	} {
		if err := Set(p, bad.file, bad.key, bad.value); err == nil {
			t.Errorf("Set(%s, %s, %.20q) took it", bad.file, bad.key, bad.value)
		}
	}
	n := len(fire.Steps)
	k, err := Add(p, file, "steps", content.Hotspot)
	if err != nil || k != "steps["+itoa(n)+"]" || fire.Steps[n].Type != content.Hotspot || fire.Steps[n].ID != "fire-new-1" {
		t.Fatalf("add step: %s %v %+v", k, err, fire.Steps[n])
	}
	if _, err := Add(p, file, "steps", "quiz"); err == nil {
		t.Error("a step of no type was added")
	}
	if _, err := Add(p, file, k+".targets", ""); err != nil || fire.Steps[n].Targets[0].ID != "target-1" {
		t.Errorf("add target: %v %+v", err, fire.Steps[n].Targets)
	}
	first := fire.Steps[0].ID
	if k2, err := Move(p, file, "steps[0]", 1); err != nil || k2 != "steps[1]" || fire.Steps[1].ID != first {
		t.Errorf("move down: %s %v", k2, err)
	}
	if k2, _ := Move(p, file, "steps[0]", -1); k2 != "steps[0]" {
		t.Errorf("move past the top: %s", k2)
	}
	if err := Delete(p, file, "steps["+itoa(n)+"]"); err != nil || len(fire.Steps) != n {
		t.Errorf("delete: %v, %d steps", err, len(fire.Steps))
	}
}

func hasProblem(ps content.Problems, file, key, msg string) bool {
	for _, p := range ps {
		if p.File == file && p.Key == key && strings.Contains(p.Msg, msg) {
			return true
		}
	}
	return false
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestStoreSQLite(t *testing.T) {
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	testStore(t, d)
}

func TestStorePostgres(t *testing.T) {
	srv := pgtest.Start(t)
	d, err := db.Open(ctx, srv.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	testStore(t, d)
}

func testStore(t *testing.T, d *db.DB) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	s := NewStore(d.SQL(), func() time.Time { return now })
	f := builtinFiles(t)
	id, err := s.Create(ctx, "spring", "li", "from the built-in pack", f)
	if err != nil {
		t.Fatal(err)
	}
	g := f.Clone()
	g["pack.yaml"] = append([]byte(nil), f["pack.yaml"]...)
	g["pack.yaml"] = bytes.Replace(g["pack.yaml"], []byte("version: 2.0.0"), []byte("version: 2.1.0"), 1)
	now = now.Add(time.Minute)
	rev, err := s.Save(ctx, id, 1, "wang", "", g)
	if err != nil || rev != 2 {
		t.Fatalf("save: %d %v", rev, err)
	}
	if _, err := s.Save(ctx, id, 1, "li", "", f); !errors.Is(err, ErrConflict) {
		t.Errorf("a save on an old revision: %v", err)
	}
	if _, err := s.Save(ctx, "nosuch", 1, "li", "", f); !errors.Is(err, ErrNotFound) {
		t.Errorf("a save of no draft: %v", err)
	}
	r, err := s.Revision(ctx, id, 0)
	if err != nil || r.Rev != 2 || r.Author != "wang" || !r.Saved.Equal(now) || !bytes.Equal(r.Files["pack.yaml"], g["pack.yaml"]) || len(r.Files) != len(f) {
		t.Fatalf("head: %+v %v", r.Rev, err)
	}
	r1, _ := s.Revision(ctx, id, 1)
	if !bytes.Equal(r1.Files["pack.yaml"], f["pack.yaml"]) || r1.Author != "li" || r1.Note != "from the built-in pack" {
		t.Error("revision 1 changed")
	}
	revs, _ := s.Revisions(ctx, id)
	if len(revs) != 2 || revs[0].Rev != 2 {
		t.Errorf("revisions %+v", revs)
	}
	ds, _ := s.Drafts(ctx)
	if len(ds) != 1 || ds[0].Head != 2 || ds[0].Author != "wang" || ds[0].CreatedBy != "li" {
		t.Errorf("drafts %+v", ds)
	}
	// Releases: the version only goes up (the studio's releases and the
	// versions the hub serves), the signed pack must be the release.
	p0, _ := f.Load()
	if _, err := s.Publish(ctx, id, 1, "li", nil); err != nil {
		t.Fatalf("publish %s: %v", p0.Version, err)
	}
	if _, err := s.Publish(ctx, id, 1, "li", nil); !errors.Is(err, ErrVersion) {
		t.Errorf("the same version again: %v", err)
	}
	if _, err := s.Publish(ctx, id, 2, "li", []string{"2.2.0"}); !errors.Is(err, ErrVersion) {
		t.Errorf("2.1.0 over a served 2.2.0: %v", err)
	}
	if _, err := s.Publish(ctx, id, 2, "wang", []string{"1.0.0"}); err != nil {
		t.Errorf("2.1.0: %v", err)
	}
	rels, _ := s.Releases(ctx, p0.ID)
	if len(rels) != 2 || rels[0].Version != "2.1.0" || rels[0].By != "wang" || rels[1].Version != p0.Version {
		t.Errorf("releases %+v", rels)
	}
	key, _ := content.GenerateKey(rand.Reader, "c")
	rel, _ := s.Release(ctx, p0.ID, "2.1.0")
	un, _ := rel.Files.Unsigned()
	w, _ := content.ReadWfpack(bytes.NewReader(un), int64(len(un)))
	var signed bytes.Buffer
	w.Resign(&signed, key)
	if _, err := s.Sign(ctx, p0.ID, p0.Version, signed.Bytes(), []content.PublicKey{key.Public()}); !errors.Is(err, ErrNotTheRelease) {
		t.Errorf("2.1.0's signed pack as %s: %v", p0.Version, err)
	}
	if sg, err := s.Sign(ctx, p0.ID, "2.1.0", signed.Bytes(), []content.PublicKey{key.Public()}); err != nil || !sg.Trusted {
		t.Errorf("sign 2.1.0: %v", err)
	}
	rel, _ = s.Release(ctx, p0.ID, "2.1.0")
	if !bytes.Equal(rel.Signed, signed.Bytes()) || rel.SignedBy == "" {
		t.Error("the signed pack was not kept")
	}

	// A blob changed in the database is caught, not served.
	if _, err := d.SQL().ExecContext(ctx, `UPDATE studio_blobs SET data = 'AAAA' WHERE data = (SELECT data FROM studio_blobs LIMIT 1)`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Revision(ctx, id, 2); err == nil || !strings.Contains(err.Error(), "SHA-256") {
		t.Errorf("a changed blob: %v", err)
	}
}
