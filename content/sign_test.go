package content

import (
	"bytes"
	"context"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func testKey(t testing.TB, seed byte, name string) PrivateKey {
	t.Helper()
	k, err := GenerateKey(bytes.NewReader(bytes.Repeat([]byte{seed}, 64)), name)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// signedEntries is the good pack, signed by key, as zip entries.
func signedEntries(t testing.TB, key PrivateKey) []entry {
	t.Helper()
	m := goodFS(t)
	var b bytes.Buffer
	if err := WriteWfpack(&b, m, slices.Sorted(maps.Keys(m)), &key); err != nil {
		t.Fatal(err)
	}
	w, err := ReadWfpack(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var es []entry
	for _, name := range w.Files {
		data, _ := fsReadFile(w, name)
		es = append(es, entry{name: name, data: data})
	}
	es = append(es, entry{name: sumsName, data: w.Sums}, entry{name: sigName, data: w.Sig})
	return es
}

func fsReadFile(w *Wfpack, name string) ([]byte, error) {
	f, err := w.FS.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var b bytes.Buffer
	_, err = b.ReadFrom(f)
	return b.Bytes(), err
}

func verifyEntries(t *testing.T, es []entry, trusted []PublicKey, allowUnsigned bool) (Signer, error) {
	t.Helper()
	z := makeZip(t, es)
	w, err := ReadWfpack(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return w.Verify(trusted, allowUnsigned)
}

func TestSignatureGood(t *testing.T) {
	key := testKey(t, 1, "Centre team")
	other := testKey(t, 2, "Other")
	s, err := verifyEntries(t, signedEntries(t, key), []PublicKey{other.Public(), key.Public()}, false)
	if err != nil || !s.Trusted || s.Name != "Centre team" || s.KeyID != key.Public().ID() {
		t.Fatalf("signer %+v, err %v", s, err)
	}
	if got := s.String(); got != "Centre team (key "+key.Public().ID()+")" {
		t.Errorf("String() = %q", got)
	}
}

// TestSignatureChangedByte changes one byte of every file in turn.
func TestSignatureChangedByte(t *testing.T) {
	key := testKey(t, 1, "team")
	trusted := []PublicKey{key.Public()}
	base := signedEntries(t, key)
	for i := range base {
		for _, at := range []int{0, len(base[i].data) / 2, len(base[i].data) - 2} {
			es := append([]entry(nil), base...)
			d := append([]byte(nil), es[i].data...)
			d[at] ^= 0x01
			if d[at] == '\n' || d[at] == ' ' || d[at] == '\r' || d[at] == 0x0b || d[at] == 0x0c {
				d[at] ^= 0x03 // stay a visible change inside a text field
			}
			es[i].data = d
			_, err := verifyEntries(t, es, trusted, false)
			want := ErrBadSignature
			msg := es[i].name + " was changed after the pack was signed"
			switch es[i].name {
			case sumsName:
				msg = "the signature does not match the pack's checksums"
				if at == 0 || at == len(d)-2 {
					msg = "" // a changed hash or name: either message is right
				}
			case sigName:
				msg = ""
				if at == 8 { // inside the key id
					want = ErrUnknownKey
				}
			}
			if !errors.Is(err, want) && !(es[i].name == sigName && (errors.Is(err, ErrBadSignature) || errors.Is(err, ErrUnknownKey))) {
				t.Errorf("byte %d of %s changed: err = %v; want %v", at, es[i].name, err, want)
				continue
			}
			if msg != "" && !strings.Contains(err.Error(), msg) {
				t.Errorf("byte %d of %s changed: %v; want %q", at, es[i].name, err, msg)
			}
		}
	}
}

func TestSignatureRemovedFile(t *testing.T) {
	key := testKey(t, 1, "team")
	trusted := []PublicKey{key.Public()}
	base := signedEntries(t, key)
	for i := range base {
		es := append(append([]entry(nil), base[:i]...), base[i+1:]...)
		_, err := verifyEntries(t, es, trusted, false)
		var want error = ErrBadSignature
		msg := base[i].name + " is listed in SHA256SUMS but missing from the pack: it was removed after the pack was signed"
		switch base[i].name {
		case sumsName:
			msg = "the pack has SHA256SUMS.sig but no SHA256SUMS"
		case sigName:
			want, msg = ErrUnsigned, "the pack is not signed"
		}
		if !errors.Is(err, want) || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s removed: %v; want %v: %s", base[i].name, err, want, msg)
		}
	}
}

func TestSignatureAddedFile(t *testing.T) {
	key := testKey(t, 1, "team")
	es := append(signedEntries(t, key), entry{name: "media/extra.svg", data: []byte(`<svg viewBox="0 0 1 1"/>`)})
	_, err := verifyEntries(t, es, []PublicKey{key.Public()}, false)
	if !errors.Is(err, ErrBadSignature) || !strings.Contains(err.Error(), "media/extra.svg is in the pack but not in SHA256SUMS: it was added after the pack was signed") {
		t.Errorf("added file: %v", err)
	}
}

func TestSignatureUnknownKey(t *testing.T) {
	key := testKey(t, 1, "team")
	stranger := testKey(t, 3, "stranger")
	es := signedEntries(t, stranger)
	_, err := verifyEntries(t, es, []PublicKey{key.Public()}, false)
	want := "unknown signing key: the pack is signed with key " + stranger.Public().ID() + ", which is not in content.trusted_keys"
	if !errors.Is(err, ErrUnknownKey) || !strings.Contains(err.Error(), want) {
		t.Errorf("unknown key: %v", err)
	}
	// With no trusted keys at all, the same.
	if _, err := verifyEntries(t, es, nil, false); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("no trusted keys: %v", err)
	}
	// allow_unsigned accepts it, as untrusted, still checking the sums.
	s, err := verifyEntries(t, es, []PublicKey{key.Public()}, true)
	if err != nil || s.Trusted || s.KeyID != stranger.Public().ID() || s.String() != "key "+stranger.Public().ID()+" (not trusted)" {
		t.Errorf("allow_unsigned, unknown key: %+v %v", s, err)
	}
	es[0].data = append(es[0].data, ' ')
	if _, err := verifyEntries(t, es, nil, true); !errors.Is(err, ErrBadSignature) {
		t.Errorf("allow_unsigned must still refuse a changed file: %v", err)
	}
	// A key with the right id but another public key cannot exist; a
	// signature made by another key under a trusted key's id must fail.
	forged := signedEntries(t, stranger)
	sig := string(forged[len(forged)-1].data)
	forged[len(forged)-1].data = []byte(strings.Replace(sig, stranger.Public().ID(), key.Public().ID(), 1))
	if _, err := verifyEntries(t, forged, []PublicKey{key.Public()}, false); !errors.Is(err, ErrBadSignature) {
		t.Errorf("forged key id: %v", err)
	}
}

func TestSignatureUnsigned(t *testing.T) {
	es := packEntries(t, goodFS(t))
	_, err := verifyEntries(t, es, nil, false)
	if !errors.Is(err, ErrUnsigned) || !strings.Contains(err.Error(), "content.allow_unsigned: true") {
		t.Errorf("unsigned: %v", err)
	}
	if s, err := verifyEntries(t, es, nil, true); err != nil || s.KeyID != "" || s.String() != "unsigned" {
		t.Errorf("unsigned allowed: %+v %v", s, err)
	}
}

// TestInstallRefusesTampered: through the installer, a changed file is
// refused and recorded, and the active pack stays.
func TestInstallRefusesTampered(t *testing.T) {
	key := testKey(t, 1, "team")
	root := t.TempDir()
	log := &eventLog{}
	in := &Installer{Dir: filepath.Join(root, "content"), TrustedKeys: []string{key.Public().Line()}, AppVersion: "1.0.0", Recorder: log}
	good := filepath.Join(root, "good.wfpack")
	os.WriteFile(good, makeZip(t, signedEntries(t, key)), 0o644)
	if _, err := in.Install(context.Background(), good, InstallOptions{}); err != nil {
		t.Fatal(err)
	}
	es := signedEntries(t, key)
	for i := range es {
		if es[i].name == "modules/fire.yaml" {
			es[i].data = bytes.Replace(es[i].data, []byte("pass_score: 60"), []byte("pass_score: 10"), 1)
		}
	}
	bad := filepath.Join(root, "bad.wfpack")
	os.WriteFile(bad, makeZip(t, es), 0o644)
	_, err := in.Install(context.Background(), bad, InstallOptions{})
	if !errors.Is(err, ErrBadSignature) || !strings.Contains(err.Error(), "modules/fire.yaml was changed after the pack was signed") {
		t.Fatalf("tampered: %v", err)
	}
	_, _, info, err := in.Active()
	if err != nil || info.Signer.Name != "team" || !info.Signer.Trusted {
		t.Errorf("active after refusal: %+v %v", info, err)
	}
	if len(log.events) != 2 || !strings.HasPrefix(log.events[1], "pack.rejected   install pack: bad signature: modules/fire.yaml was changed") {
		t.Errorf("events %q", log.events)
	}
}

func TestKeyFiles(t *testing.T) {
	k := testKey(t, 7, "Centre team")
	text, _ := k.MarshalText()
	back, err := ParsePrivateKey(text)
	if err != nil || !bytes.Equal(back.Key, k.Key) || back.Name != "Centre team" {
		t.Fatalf("round trip: %v", err)
	}
	pub, err := ParsePublicKey(k.Public().Line())
	if err != nil || !bytes.Equal(pub.Key, k.Public().Key) || pub.Name != "Centre team" {
		t.Fatalf("public round trip: %v", err)
	}
	if len(pub.ID()) != 16 {
		t.Errorf("key id %q", pub.ID())
	}
	for _, bad := range []string{"", "ssh-ed25519 AAAA", "ed25519:abc", "ed25519:" + strings.Repeat("A", 40)} {
		if _, err := ParsePublicKey(bad); err == nil {
			t.Errorf("ParsePublicKey(%q) accepted", bad)
		}
	}
	if _, err := ParsePrivateKey([]byte(k.Public().Line())); err == nil {
		t.Error("a public key line was accepted as a private key")
	}
}

func TestResign(t *testing.T) {
	old, key := testKey(t, 1, "old"), testKey(t, 2, "new")
	z := makeZip(t, signedEntries(t, old))
	w, err := ReadWfpack(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := w.Resign(&out, key); err != nil {
		t.Fatal(err)
	}
	w2, err := ReadWfpack(bytes.NewReader(out.Bytes()), int64(out.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if s, err := w2.Verify([]PublicKey{key.Public()}, false); err != nil || s.Name != "new" {
		t.Errorf("resigned: %+v %v", s, err)
	}
	// Signing never blesses a file changed since the build.
	es := signedEntries(t, old)
	es[0].data = append(es[0].data, '#')
	z = makeZip(t, es)
	w, _ = ReadWfpack(bytes.NewReader(z), int64(len(z)))
	if err := w.Resign(io.Discard, key); !errors.Is(err, ErrBadSignature) {
		t.Errorf("resign of a changed pack: %v", err)
	}
}
