package studio

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/wufang-kiosk/wufang/content"
)

// Marshal writes v (a *content.Pack or a *content.Module) as the YAML the
// format documents: keys in the order of the Go types (the order of the
// format's tables), a key left out when its value is the zero value (the
// loader reads a missing key as exactly that, so nothing is lost), texts
// with the pack's languages first in the pack's order.
func Marshal(p *content.Pack, v any) ([]byte, error) {
	n, err := node(p, reflect.ValueOf(v))
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, fmt.Errorf("write yaml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("write yaml: %w", err)
	}
	return b.Bytes(), nil
}

var textType = reflect.TypeFor[content.Text]()

func node(p *content.Pack, v reflect.Value) (*yaml.Node, error) {
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	switch {
	case v.Type() == textType:
		n := &yaml.Node{Kind: yaml.MappingNode}
		keys := slices.Sorted(func(y func(string) bool) {
			for _, k := range v.MapKeys() {
				if !y(k.String()) {
					return
				}
			}
		})
		rank := func(k string) int {
			if i := slices.Index(p.Languages, k); i >= 0 {
				return i
			}
			return len(p.Languages)
		}
		slices.SortStableFunc(keys, func(a, b string) int { return rank(a) - rank(b) })
		for _, k := range keys {
			n.Content = append(n.Content, scalar(k), scalar(v.MapIndex(reflect.ValueOf(k)).String()))
		}
		return n, nil
	case v.Kind() == reflect.Struct:
		n := &yaml.Node{Kind: yaml.MappingNode}
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if !f.IsExported() || name == "-" || name == "" {
				continue
			}
			fv := v.Field(i)
			if fv.IsZero() || (fv.Kind() == reflect.Slice || fv.Kind() == reflect.Map) && fv.Len() == 0 {
				continue
			}
			c, err := node(p, fv)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, scalar(name), c)
		}
		return n, nil
	case v.Kind() == reflect.Slice:
		n := &yaml.Node{Kind: yaml.SequenceNode}
		for i := range v.Len() {
			c, err := node(p, v.Index(i))
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, c)
		}
		return n, nil
	default:
		n := &yaml.Node{}
		if err := n.Encode(v.Interface()); err != nil {
			return nil, err
		}
		return n, nil
	}
}

func scalar(s string) *yaml.Node {
	n := &yaml.Node{}
	_ = n.Encode(s) // a string always encodes
	return n
}
