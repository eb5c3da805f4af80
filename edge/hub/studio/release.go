package studio

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wufang-kiosk/wufang/content"
)

// Release is a published version of a pack: the files of one draft
// revision, frozen, and (once signed) the signed .wfpack.
type Release struct {
	Pack, Version string
	Draft         string
	Rev           int
	By            string
	At            time.Time
	Files         Files
	Signed        []byte // the signed .wfpack; nil until signed
	SignedBy      string // the signer as content.Signer says it
}

// FileName is the release's .wfpack name: {pack}-{version}.wfpack.
func (r Release) FileName() string { return r.Pack + "-" + r.Version + content.Extension }

// ErrVersion is a release whose version is not above every earlier one.
var ErrVersion = errors.New("the version must go up")

// Unsigned writes the release's files as an unsigned .wfpack, the file
// wufang-pack sign takes.
func (f Files) Unsigned() ([]byte, error) {
	var b bytes.Buffer
	if err := content.WriteWfpack(&b, f.FS(), f.Names(), nil); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Releases lists the releases of pack ("" for all), the highest version
// first, without their files.
func (s *Store) Releases(ctx context.Context, pack string) ([]Release, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT pack, version, draft, rev, released_by, released, signed_by FROM studio_releases
		WHERE $1 = '' OR pack = $1`, pack)
	if err != nil {
		return nil, fmt.Errorf("releases: %w", err)
	}
	defer rows.Close()
	var out []Release
	for rows.Next() {
		var r Release
		var at int64
		if err := rows.Scan(&r.Pack, &r.Version, &r.Draft, &r.Rev, &r.By, &at, &r.SignedBy); err != nil {
			return nil, err
		}
		r.At = time.UnixMilli(at)
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Release) int {
		if a.Pack != b.Pack {
			return strings.Compare(a.Pack, b.Pack)
		}
		c, _ := content.CompareVersions(b.Version, a.Version)
		return c
	})
	return out, rows.Err()
}

// Release returns one release with its files and signed pack.
func (s *Store) Release(ctx context.Context, pack, version string) (Release, error) {
	r := Release{Pack: pack, Version: version}
	var at int64
	var idx, signed string
	err := s.db.QueryRowContext(ctx, `SELECT draft, rev, released_by, released, files, signed, signed_by FROM studio_releases
		WHERE pack = $1 AND version = $2`, pack, version).Scan(&r.Draft, &r.Rev, &r.By, &at, &idx, &signed, &r.SignedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, err
	}
	r.At = time.UnixMilli(at)
	if r.Files, err = s.getFiles(ctx, idx); err != nil {
		return r, err
	}
	if signed != "" {
		if r.Signed, err = base64.StdEncoding.DecodeString(signed); err != nil {
			return r, fmt.Errorf("the signed pack of %s %s: %w", pack, version, err)
		}
	}
	return r, nil
}

// Publish records revision rev of draft as release version of its pack.
// The version must be above every release of the pack, the studio's and
// the other versions given (the packs the hub already serves); the files
// must validate without errors.
func (s *Store) Publish(ctx context.Context, draft string, rev int, user string, others []string) (Release, error) {
	r, err := s.Revision(ctx, draft, rev)
	if err != nil {
		return Release{}, err
	}
	p, probs := r.Files.Check()
	if p == nil || len(probs.Errors()) > 0 {
		return Release{}, fmt.Errorf("the draft has %d errors; fix them before publishing", len(probs.Errors()))
	}
	rel := Release{Pack: p.ID, Version: p.Version, Draft: draft, Rev: rev, By: user, At: s.now(), Files: r.Files}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT version FROM studio_releases WHERE pack = $1`, p.ID)
		if err != nil {
			return err
		}
		vs := slices.Clone(others)
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return err
			}
			vs = append(vs, v)
		}
		rows.Close()
		for _, v := range vs {
			if c, err := content.CompareVersions(p.Version, v); err != nil || c <= 0 {
				return fmt.Errorf("%w: %s %s is already released (or served by the hub); raise version in the pack to more than %s", ErrVersion, p.ID, v, v)
			}
		}
		idx, err := putFiles(ctx, tx, r.Files)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO studio_releases (pack, version, draft, rev, released_by, released, files) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			rel.Pack, rel.Version, draft, rev, user, rel.At.UnixMilli(), idx)
		return err
	})
	if err != nil {
		return Release{}, fmt.Errorf("publish: %w", err)
	}
	return rel, nil
}

// ErrNotTheRelease is a signed pack whose files are not exactly the
// release's.
var ErrNotTheRelease = errors.New("the signed pack is not this release")

// Sign checks a signed .wfpack against the release and the trusted keys
// and keeps it: the reader's checks, a good signature by a trusted key,
// and exactly the release's files, byte for byte.
func (s *Store) Sign(ctx context.Context, pack, version string, signed []byte, trusted []content.PublicKey) (content.Signer, error) {
	rel, err := s.Release(ctx, pack, version)
	if err != nil {
		return content.Signer{}, err
	}
	w, err := content.ReadWfpack(bytes.NewReader(signed), int64(len(signed)))
	if err != nil {
		return content.Signer{}, err
	}
	signer, err := w.Verify(trusted, false)
	if err != nil {
		return signer, err
	}
	got, err := FromFS(w.FS)
	if err != nil {
		return signer, err
	}
	if diff := sameFiles(rel.Files, got); diff != "" {
		return signer, fmt.Errorf("%w: %s; sign the file this release's page gives", ErrNotTheRelease, diff)
	}
	_, err = s.db.ExecContext(ctx, `UPDATE studio_releases SET signed = $3, signed_by = $4 WHERE pack = $1 AND version = $2`,
		pack, version, base64.StdEncoding.EncodeToString(signed), signer.String())
	return signer, err
}

func sameFiles(want, got Files) string {
	for _, n := range want.Names() {
		g, ok := got[n]
		if !ok {
			return n + " is missing"
		}
		if !bytes.Equal(g, want[n]) {
			return n + " differs"
		}
	}
	for _, n := range got.Names() {
		if _, ok := want[n]; !ok {
			return n + " is not in the release"
		}
	}
	return ""
}

// SignWithKey signs the release on the hub with the key in keyFile (made
// by wufang-pack keygen), which must be readable by its owner only, and
// keeps the result as Sign does.
func (s *Store) SignWithKey(ctx context.Context, pack, version, keyFile string, trusted []content.PublicKey) (content.Signer, error) {
	key, err := ReadSigningKey(keyFile)
	if err != nil {
		return content.Signer{}, err
	}
	rel, err := s.Release(ctx, pack, version)
	if err != nil {
		return content.Signer{}, err
	}
	var b bytes.Buffer
	if err := content.WriteWfpack(&b, rel.Files.FS(), rel.Files.Names(), &key); err != nil {
		return content.Signer{}, err
	}
	return s.Sign(ctx, pack, version, b.Bytes(), trusted)
}

// ReadSigningKey reads a private key file, refusing one that others than
// its owner may read (it signs what every room installs).
func ReadSigningKey(path string) (content.PrivateKey, error) {
	st, err := os.Stat(path)
	if err != nil {
		return content.PrivateKey{}, fmt.Errorf("content.signing_key_file: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return content.PrivateKey{}, fmt.Errorf("content.signing_key_file %s is mode %04o; the key signs what every room installs, make it readable by its owner only: chmod 600 %s", path, st.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return content.PrivateKey{}, fmt.Errorf("content.signing_key_file: %w", err)
	}
	k, err := content.ParsePrivateKey(b)
	if err != nil {
		return k, fmt.Errorf("content.signing_key_file %s: %w", path, err)
	}
	return k, nil
}

// Change is one difference between two versions of a pack: a text (one
// language of it) or a value, by file and key; or a picture by path.
type Change struct {
	File, Key string
	Old, New  string // "" for added or removed
}

// Diff lists what changed from old to new, text by text: every visible
// text in every language, every value (ids, numbers, switches,
// coordinates), and every picture by its bytes, sorted by file and key.
func Diff(old, new Files) ([]Change, error) {
	a, err := flatten(old)
	if err != nil {
		return nil, err
	}
	b, err := flatten(new)
	if err != nil {
		return nil, err
	}
	var out []Change
	for _, k := range slices.Sorted(maps.Keys(unionKeys(a, b))) {
		if a[k] != b[k] {
			file, key, _ := strings.Cut(k, "|")
			out = append(out, Change{File: file, Key: key, Old: a[k], New: b[k]})
		}
	}
	return out, nil
}

func unionKeys(a, b map[string]string) map[string]bool {
	u := map[string]bool{}
	for k := range a {
		u[k] = true
	}
	for k := range b {
		u[k] = true
	}
	return u
}

// flatten is every leaf of the pack as file|key -> value, and every
// picture as its path -> its SHA-256.
func flatten(f Files) (map[string]string, error) {
	out := map[string]string{}
	if len(f) == 0 {
		return out, nil
	}
	p, err := f.Load()
	if err != nil {
		return nil, err
	}
	leaves(out, "pack.yaml|", reflect.ValueOf(p))
	for _, m := range p.Mods {
		leaves(out, content.ModuleFile(m.ID)+"|", reflect.ValueOf(m))
	}
	for _, n := range f.Media() {
		sum := sha256.Sum256(f[n])
		out[n+"|"] = "sha256:" + hex.EncodeToString(sum[:8])
	}
	return out, nil
}

func leaves(out map[string]string, prefix string, v reflect.Value) {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	sep := "."
	if strings.HasSuffix(prefix, "|") {
		sep = ""
	}
	switch v.Kind() {
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			fl := t.Field(i)
			name, _, _ := strings.Cut(fl.Tag.Get("yaml"), ",")
			if !fl.IsExported() || name == "-" || name == "" {
				continue
			}
			leaves(out, prefix+sep+name, v.Field(i))
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			out[prefix+"."+k.String()] = v.MapIndex(k).String()
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.String {
			var ws []string
			for i := range v.Len() {
				ws = append(ws, v.Index(i).String())
			}
			if len(ws) > 0 {
				out[prefix] = strings.Join(ws, ", ")
			}
			return
		}
		for i := range v.Len() {
			leaves(out, fmt.Sprintf("%s[%d]", prefix, i), v.Index(i))
		}
	default:
		if !v.IsZero() {
			switch v.Kind() {
			case reflect.Float64:
				out[prefix] = strconv.FormatFloat(v.Float(), 'f', -1, 64)
			default:
				out[prefix] = fmt.Sprint(v.Interface())
			}
		}
	}
}

// Facts writes the release's fact list for sign-off, as the built-in
// pack's REVIEW.md lists its facts: per module, what each step teaches
// (a lesson's text, a question and its right answers, the right order,
// each hazard of a picture and why, each ending of a story), in every
// language of the pack, each line with a box to tick and the step id.
func Facts(f Files, rel Release, changes []Change) ([]byte, error) {
	p, err := f.Load()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	txt := func(t content.Text) string {
		var parts []string
		for _, l := range p.Languages {
			if s := strings.TrimSpace(t[l]); s != "" {
				parts = append(parts, strings.ReplaceAll(s, "\n", " "))
			}
		}
		return strings.Join(parts, " / ")
	}
	line := func(text, where string) {
		if text != "" {
			fmt.Fprintf(&b, "- [ ] %s — *%s*\n", text, where)
		}
	}
	fmt.Fprintf(&b, "# %s %s — fact review sheet\n\n", p.ID, p.Version)
	fmt.Fprintf(&b, "Pack `%s` %s (%s), published in the hub's studio by %s on %s from draft %s revision %d.\n",
		p.ID, p.Version, txt(p.Title), rel.By, rel.At.UTC().Format("2006-01-02 15:04 UTC"), rel.Draft, rel.Rev)
	b.WriteString("Every fact the pack teaches is listed below, per module, in each of its languages, with the step where a visitor meets it.\n")
	b.WriteString("A reviewer checks each line against current official guidance, ticks it, and signs at the end.\n\n")
	fmt.Fprintf(&b, "Changed since the previous release: %d texts or values (listed on the release's page).\n\n", len(changes))
	b.WriteString("## Attract loop (pack.yaml)\n\n")
	for i, s := range p.Attract {
		line(txt(s.Title)+": "+txt(s.Body), fmt.Sprintf("attract[%d]", i))
	}
	for _, m := range p.Mods {
		fmt.Fprintf(&b, "\n## %s (`%s`, hotline %s %s, pass score %d)\n\n", txt(m.Title), content.ModuleFile(m.ID), m.Hotline.Number, txt(m.Hotline.Label), m.PassScore)
		line(txt(m.Remember), "remember")
		for _, s := range m.Steps {
			switch s.Type {
			case content.Lesson:
				line("**"+txt(s.Title)+"**: "+txt(s.Body), s.ID)
			case content.Choice:
				var right []string
				for _, o := range s.Options {
					if o.Correct {
						right = append(right, txt(o.Text))
					}
				}
				line(txt(s.Prompt)+" → **"+strings.Join(right, "; ")+"** ("+txt(s.Explanation)+")", s.ID)
			case content.Order:
				var items []string
				for i, it := range s.Items {
					items = append(items, fmt.Sprintf("%d. %s", i+1, txt(it)))
				}
				line(txt(s.Prompt)+" → **"+strings.Join(items, " ")+"**", s.ID)
			case content.Hotspot:
				for _, tg := range s.Targets {
					line(txt(tg.Label), s.ID+" target "+tg.ID)
				}
				for _, d := range s.Decoys {
					line("("+txt(d.Label)+")", s.ID+" decoy "+d.ID)
				}
			case content.Scenario:
				for _, o := range s.Outcomes {
					good := "bad ending"
					if o.Good {
						good = "good ending"
					}
					line(fmt.Sprintf("%s (%s): %s %s", txt(o.Title), good, txt(o.Text), txt(o.Advice)), s.ID+" outcome "+o.ID)
				}
			}
		}
	}
	b.WriteString("\nReviewed and signed off by: ____________________  Date: ____________\n")
	return b.Bytes(), nil
}

// ServedVersions are the versions of pack among the .wfpack files in dir
// (the releases the hub already serves), so a studio release goes above
// them too.
func ServedVersions(dir, pack string) []string {
	if dir == "" {
		return nil
	}
	var out []string
	es, _ := os.ReadDir(dir)
	for _, e := range es {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), content.Extension) {
			continue
		}
		w, err := content.OpenWfpack(dir + "/" + e.Name())
		if err != nil {
			continue
		}
		b, err := fs.ReadFile(w.FS, "pack.yaml")
		if err != nil {
			continue
		}
		if p, _ := content.Check(Files{"pack.yaml": b}.FS()); p != nil && p.ID == pack && p.Version != "" {
			out = append(out, p.Version)
		}
	}
	return out
}
