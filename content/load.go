package content

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"reflect"
	"slices"
	"strings"

	"github.com/wufang-kiosk/wufang/internal/strictyaml"
)

// File names inside a pack.
const (
	manifestName = "pack.yaml"
	modulesDir   = "modules"
)

// MaxYAMLBytes is the largest pack.yaml or module file the loader reads.
// A module with a hundred steps in two languages is well under 200 KiB.
const MaxYAMLBytes = 1 << 20

// ModuleFile is the path of a module's file inside a pack.
func ModuleFile(id string) string { return modulesDir + "/" + id + ".yaml" }

// source remembers where each value of a loaded pack was written, so that
// Validate can point at it. Keys are key paths: "steps[2].options[0].text".
type source struct {
	files   map[string]*strictyaml.Doc // file -> where each key path was written
	modFile map[*Module]string         // the file each module was read from
}

func (s *source) moduleFile(m *Module) (string, bool) {
	if s == nil {
		return "", false
	}
	f, ok := s.modFile[m]
	return f, ok
}

func (s *source) at(file, key string) strictyaml.Pos {
	if s == nil || s.files[file] == nil {
		return strictyaml.Pos{}
	}
	doc := s.files[file]
	for {
		if p, ok := doc.Value(key); ok {
			return p
		}
		if key == "" {
			return strictyaml.Pos{}
		}
		// Walk up: a missing key is reported at its parent.
		i := strings.LastIndexAny(key, ".[")
		if i < 0 {
			key = ""
		} else {
			key = key[:i]
		}
	}
}

// Load reads a pack from fsys: pack.yaml and modules/<id>.yaml for every
// module it lists. Reading is strict: an unknown key, a value of the wrong
// type, a key written twice, a YAML alias, text that is not UTF-8 or a file
// over MaxYAMLBytes is an error. The error is then a Problems listing every
// such problem in every file, each located by file, line and column.
//
// Load does not check values (ids, languages, media, scenario graphs): that
// is Validate. A module that is not one of ModuleIDs, or whose file is
// missing, is skipped here and reported by Validate.
func Load(fsys fs.FS) (*Pack, error) {
	p, probs := load(fsys)
	if len(probs) > 0 {
		sortProblems(probs)
		return nil, Problems(probs)
	}
	return p, nil
}

// Check loads and validates a pack and returns every problem found. When a
// file cannot be decoded, the files that could are still validated, so one
// run lists as much as possible. The pack is nil when pack.yaml itself could
// not be read.
func Check(fsys fs.FS) (*Pack, Problems) {
	p, probs := load(fsys)
	if p == nil {
		sortProblems(probs)
		return nil, probs
	}
	bad := map[string]bool{}
	for _, pr := range probs {
		bad[pr.File] = true
	}
	for _, pr := range Validate(p, fsys) {
		if !bad[pr.File] {
			probs = append(probs, pr)
		}
	}
	sortProblems(probs)
	if len(probs) > MaxProblems {
		rest := probs[MaxProblems:]
		sev := SevWarning
		if len(rest.Errors()) > 0 {
			sev = SevError
		}
		probs = append(probs[:MaxProblems:MaxProblems], Problem{File: rest[0].File, Line: rest[0].Line, Col: rest[0].Col,
			Severity: sev, Msg: fmt.Sprintf("and %d more problems; fix the ones above first", len(rest))})
	}
	return p, probs
}

// MaxProblems is how many problems Check lists before it says how many more
// there are: a screen full is enough to start fixing.
const MaxProblems = 200

// load decodes what it can; p is nil only when pack.yaml is unusable.
func load(fsys fs.FS) (*Pack, Problems) {
	src := &source{files: map[string]*strictyaml.Doc{}, modFile: map[*Module]string{}}
	p := &Pack{src: src}
	probs := decodeFile(fsys, manifestName, p, src)
	if len(probs) > 0 && p.Format == "" && p.ID == "" {
		return nil, probs
	}
	loaded := map[string]bool{}
	for _, id := range p.Modules {
		if !slices.Contains(ModuleIDs, id) || loaded[id] {
			continue // Validate says which ids are allowed, and once
		}
		loaded[id] = true
		name := ModuleFile(id)
		if _, err := fs.Stat(fsys, name); err != nil {
			continue // Validate reports the missing file where the module is listed
		}
		m := &Module{}
		mprobs := decodeFile(fsys, name, m, src)
		probs = append(probs, mprobs...)
		if len(mprobs) == 0 {
			p.Mods = append(p.Mods, m)
			src.modFile[m] = name
		}
	}
	return p, probs
}

// decodeFile reads one YAML file of the pack into v and returns its
// problems. A file that cannot be read or parsed leaves v as it was.
func decodeFile(fsys fs.FS, name string, v any, src *source) Problems {
	fail := func(format string, args ...any) Problems {
		return Problems{{File: name, Severity: SevError, Msg: fmt.Sprintf(format, args...)}}
	}
	f, err := fsys.Open(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fail("the file is missing; every pack needs %s at its top level (wufang-pack init makes one)", name)
		}
		return fail("cannot be read: %v", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxYAMLBytes+1))
	if err != nil {
		return fail("cannot be read: %v", err)
	}
	doc, errs := strictyaml.Decode(data, v, yamlOptions)
	src.files[name] = doc
	var probs Problems
	for _, e := range errs {
		probs = append(probs, Problem{File: name, Line: e.Line, Col: e.Col, Severity: SevError, Key: e.Key, Msg: e.Msg})
	}
	return probs
}

// yamlOptions are the pack's words for the strict loader's messages.
var yamlOptions = strictyaml.Options{
	MaxBytes:      MaxYAMLBytes,
	NumbersAsText: true, // number: 119 is the number written
	Describe: map[reflect.Type]string{
		reflect.TypeFor[Text](): "a text in every language, like {zh-CN: 火警, en: Fire}",
	},
	Reword: func(e *strictyaml.Error) {
		switch e.Kind {
		case strictyaml.KindEmpty:
			e.Msg = "is empty; it must be a mapping of keys to values (see wufang-pack init)"
		case strictyaml.KindTooLarge:
			e.Msg = fmt.Sprintf("is larger than %d KiB; a pack file is never that big, so this is not a pack file (split long modules or remove pasted data)", MaxYAMLBytes>>10)
		case strictyaml.KindSecondDoc:
			e.Msg = "is not valid YAML near here: a second document starts here (---); a pack file holds one document"
		case strictyaml.KindAlias:
			// A whole-file refusal: the loader stops at the first alias.
			e.Key = ""
			e.Msg = fmt.Sprintf("uses a YAML alias (*%s); aliases are not allowed in a pack, write the value out in full", e.Found)
		}
	},
}
