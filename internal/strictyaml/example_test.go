package strictyaml_test

import (
	"fmt"
	"reflect"
	"time"

	"github.com/wufang-kiosk/wufang/internal/strictyaml"
)

// A new config needs its types, one Options value and one call. Here a
// hub config with a duration type of its own.
func Example() {
	type Every time.Duration
	type Hub struct {
		Listen string   `yaml:"listen"`
		Sites  []string `yaml:"sites"`
		Poll   Every    `yaml:"poll"`
	}
	opts := strictyaml.Options{
		AllowEmpty: true, // every key has a default
		Scalars: map[reflect.Type]strictyaml.Scalar{
			reflect.TypeFor[Every](): {Want: "a duration like 30s", Parse: func(s string) (any, error) {
				d, err := time.ParseDuration(s)
				if err != nil {
					return nil, fmt.Errorf("%q is not a duration; write it like 30s or 5m", s)
				}
				return Every(d), nil
			}},
		},
	}

	cfg := Hub{Listen: "127.0.0.1:8080"}
	_, errs := strictyaml.Decode([]byte("sites: [bantian]\npoll: 1m\n"), &cfg, opts)
	fmt.Println(cfg.Listen, cfg.Sites, time.Duration(cfg.Poll), errs == nil)

	_, errs = strictyaml.Decode([]byte("listen: 8080\npoll: soon\nsite: [x]\nsites: bantian\n"), &cfg, opts)
	for _, e := range errs {
		fmt.Println("hub.yaml:" + e.Error())
	}
	// Output:
	// 127.0.0.1:8080 [bantian] 1m0s true
	// hub.yaml:1:9: listen: must be text; put 8080 in quotes if you mean it as text
	// hub.yaml:2:7: poll: "soon" is not a duration; write it like 30s or 5m
	// hub.yaml:3:1: site: is not a known key; allowed here: listen, sites, poll
	// hub.yaml:4:8: sites: must be a list (one "- item" per line), not "bantian"
}
