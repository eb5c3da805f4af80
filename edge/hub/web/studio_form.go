package web

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/wufang-kiosk/wufang/content"
)

// Field is one field of a studio form, built from the decoded pack by
// reflection over the format's Go types, so every key of the format has
// its field and none is invented. Name is the form name of a value
// ("f:" file "|" key, key as the validator names it), which is how a
// problem finds its field.
type Field struct {
	File  string
	Key   string
	Name  string
	Label string
	// Kind: text (one input per language), string, int, float, bool,
	// optbool (yes, no, default), words, select, group, list.
	Kind     string
	Value    string
	Langs    []LangInput
	Long     bool
	Budget   int
	Options  []string
	Children []*Field
	// A list's elements are groups; Index is an element's place and
	// ListKey the list's key (for the add, move and delete buttons).
	Index    int
	ListKey  string
	Problems []content.Problem
}

// LangInput is one language's input of a text field.
type LangInput struct {
	Lang, Name, Value string
	Problems          []content.Problem
}

// budgets are the validator's width budgets by key, as FORMAT.md lists
// them; the form shows them beside the inputs (the validator alone says
// when a text is over).
func budget(parent, key string) int {
	switch key {
	case "title":
		return content.MaxTitle
	case "summary":
		return content.MaxSummary
	case "body":
		return content.MaxBody
	case "prompt":
		return content.MaxPrompt
	case "explanation", "consequence", "advice", "remember":
		return content.MaxExplanation
	case "label":
		if parent == "Hotline" {
			return content.MaxHotlineLabel
		}
		return content.MaxTargetLabel
	case "text":
		switch parent {
		case "Situation":
			return content.MaxPrompt
		case "Outcome":
			return content.MaxExplanation
		}
		return content.MaxOption
	case "items":
		return content.MaxOption
	}
	return 0
}

type formBuilder struct {
	v     *view
	p     *content.Pack
	file  string
	media []string
	// ids offers the situation and outcome ids of the scenario being
	// built, for the "goes to" pickers.
	situations, outcomes []string
}

func (b *formBuilder) label(key string) string {
	if _, ok := messages["f."+key]; ok {
		return b.v.T("f." + key)
	}
	return key
}

// fields builds the fields of struct v under prefix, only the keys in
// only (all when nil).
func (b *formBuilder) fields(prefix string, v reflect.Value, only []string) []*Field {
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	var out []*Field
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" || name == "" || (only != nil && !slices.Contains(only, name)) {
			continue
		}
		out = append(out, b.field(t.Name(), join(prefix, name), name, v.Field(i)))
	}
	return out
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

func (b *formBuilder) name(key string) string { return "f:" + b.file + "|" + key }

func (b *formBuilder) field(parent, key, yamlKey string, v reflect.Value) *Field {
	f := &Field{File: b.file, Key: key, Name: b.name(key), Label: b.label(yamlKey)}
	switch {
	case v.Type() == textType:
		f.Kind, f.Budget = "text", budget(parent, yamlKey)
		f.Long = f.Budget > content.MaxOption
		for _, l := range b.p.Languages {
			val := ""
			if !v.IsNil() {
				val = v.MapIndex(reflect.ValueOf(l)).String()
				if !v.MapIndex(reflect.ValueOf(l)).IsValid() {
					val = ""
				}
			}
			f.Langs = append(f.Langs, LangInput{Lang: l, Name: b.name(key + "." + l), Value: val})
		}
	case v.Kind() == reflect.String:
		f.Kind, f.Value = "string", v.String()
		switch yamlKey {
		case "image", "icon":
			f.Kind, f.Options = "select", append([]string{""}, b.media...)
		case "type":
			f.Kind, f.Options = "select", []string{content.Lesson, content.Choice, content.Order, content.Hotspot, content.Scenario}
		case "next", "start":
			f.Kind, f.Options = "select", append([]string{""}, b.situations...)
		case "outcome":
			f.Kind, f.Options = "select", append([]string{""}, b.outcomes...)
		}
		if f.Kind == "select" && !slices.Contains(f.Options, f.Value) {
			f.Options = append(f.Options, f.Value) // what the pack says, even if it names nothing
		}
	case v.Kind() == reflect.Int:
		f.Kind, f.Value = "int", strconv.Itoa(int(v.Int()))
	case v.Kind() == reflect.Float64:
		f.Kind, f.Value = "float", strconv.FormatFloat(v.Float(), 'f', -1, 64)
	case v.Kind() == reflect.Bool:
		f.Kind, f.Value = "bool", strconv.FormatBool(v.Bool())
	case v.Kind() == reflect.Pointer && v.Type().Elem().Kind() == reflect.Bool:
		f.Kind = "optbool"
		if !v.IsNil() {
			f.Value = strconv.FormatBool(v.Elem().Bool())
		}
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String:
		f.Kind = "words"
		for i := range v.Len() {
			f.Value += v.Index(i).String()
			if i < v.Len()-1 {
				f.Value += ", "
			}
		}
	case v.Kind() == reflect.Slice:
		f.Kind, f.ListKey = "list", key
		for i := range v.Len() {
			ek := fmt.Sprintf("%s[%d]", key, i)
			e := v.Index(i)
			var c *Field
			if e.Type() == textType {
				c = b.field(parent, ek, yamlKey, e)
				c.Label = fmt.Sprintf("%d", i+1)
			} else {
				c = &Field{File: b.file, Key: ek, Kind: "group", Label: fmt.Sprintf("%s %d", b.label(yamlKey), i+1), Children: b.fields(ek, e, nil)}
			}
			c.Index, c.ListKey = i, key
			f.Children = append(f.Children, c)
		}
	case v.Kind() == reflect.Struct:
		f.Kind, f.Children = "group", b.fields(key, v, nil)
	default:
		f.Kind, f.Value = "string", fmt.Sprint(v.Interface())
	}
	return f
}

var textType = reflect.TypeFor[content.Text]()

// attach puts each problem of file on the deepest field whose key it
// names (a text's own language where the validator names one) and returns
// those no field on the form took.
func attach(fields []*Field, file string, probs content.Problems) content.Problems {
	var left content.Problems
	for _, pr := range probs {
		if pr.File != file || !place(fields, pr) {
			left = append(left, pr)
		}
	}
	return left
}

func place(fields []*Field, pr content.Problem) bool {
	for _, f := range fields {
		if pr.Key != f.Key && !strings.HasPrefix(pr.Key, f.Key+".") && !strings.HasPrefix(pr.Key, f.Key+"[") {
			continue
		}
		if place(f.Children, pr) {
			return true
		}
		for i := range f.Langs {
			if pr.Key == f.Key+"."+f.Langs[i].Lang {
				f.Langs[i].Problems = append(f.Langs[i].Problems, pr)
				return true
			}
		}
		if pr.Key == f.Key || f.Kind == "group" || f.Kind == "list" || f.Kind == "text" {
			f.Problems = append(f.Problems, pr)
			return true
		}
	}
	return false
}
