package main

import "os"

// pkg is one Debian package, made for each of its architectures.
type pkg struct {
	name, summary, desc string
	arches              []string
	bins                []string // from BIN/<arch>/ to /usr/bin/
	units               []string // from build/systemd/ to /lib/systemd/system/; enabled on install
	files               []file   // further files from the repository
	config              bool     // ships /etc/wufang/wufang.yaml, the wufang user and /var/lib/wufang
	conffiles           []file   // further files installed as dpkg conffiles (kept over upgrades)
	sysusers            string   // without config: its own sysusers.d file for the wufang user and /var/lib/wufang
	depends, recommends []string
	conflicts           []string
	font                bool // the binary embeds the OFL font (copyright says so)
}

type file struct {
	src, dst string
	mode     os.FileMode
}

// kioskLibs are what the kiosk binary links or GLFW dlopens (libXrandr,
// libXcursor, libXi, libXinerama, libXxf86vm); Mesa's DRI drivers draw for
// Xwayland (vc4/v3d on a Pi).
var kioskLibs = []string{"libc6 (>= 2.34)", "libgl1", "libgl1-mesa-dri", "libx11-6", "libxrandr2", "libxcursor1",
	"libxi6", "libxinerama1", "libxxf86vm1"}

// userDeps: systemd-sysusers makes the user, deb-systemd-helper enables the
// units.
var userDeps = []string{"systemd (>= 247)", "init-system-helpers (>= 1.54~)"}

func packages() []pkg {
	return []pkg{
		{
			name:    "wufang-kiosk",
			summary: "wufang touchscreen exhibit for safety-education rooms",
			desc: `The visitor screen of a wufang room: lessons, quizzes and scenarios from
signed content packs, the door counter and exhibit sensors, the event
store and its MQTT uplink, in one process. It starts full screen on the
attached display after boot (cage on tty1, no desktop), as the wufang
user, and is restarted by systemd if it exits or stops answering.`,
			arches: []string{"amd64", "arm64", "armhf"},
			bins:   []string{"wufang-kiosk", "wufang-render", "wufang-edge"},
			units:  []string{"wufang-kiosk.service"},
			files:  append([]file{{"build/kiosk-session.sh", "/usr/libexec/wufang/kiosk-session", 0o755}}, docs("wufang-kiosk")...),
			config: true,
			// wlr-randr turns the screen under cage 0.1.5 and later, udevadm
			// applies the touch rule (kiosk/session).
			depends:   append(append([]string{"cage", "xwayland", "wlr-randr", "udev"}, kioskLibs...), userDeps...),
			conflicts: []string{"wufang-edge"},
			font:      true,
		},
		{
			name:    "wufang-edge",
			summary: "wufang door counter and edge hub (no screen)",
			desc: `Counts visitors with two door beams, keeps the events in a local store
and sends them to the site's MQTT broker. For boards without a screen;
a kiosk board runs the same hub inside wufang-kiosk instead.`,
			arches:    []string{"amd64", "arm64", "armhf", "armel"},
			bins:      []string{"wufang-edge"},
			units:     []string{"wufang-edge.service"},
			files:     docs("wufang-edge"),
			config:    true,
			depends:   append([]string{}, userDeps...),
			conflicts: []string{"wufang-kiosk"},
		},
		{
			name:    "wufang-hub",
			summary: "wufang district hub (MQTT ingest, dashboard database)",
			desc: `Collects the counts of every wufang room from the MQTT broker into a
database for the district's dashboards. Runs on a server, not in a room;
see wufang-hub --help and /etc/wufang/hub.yaml for its configuration;
the wufang-hub service runs it as the wufang user.`,
			arches:    []string{"amd64", "arm64", "armhf", "armel"},
			bins:      []string{"wufang-hub"},
			units:     []string{"wufang-hub.service"},
			files:     []file{{"README.md", "/usr/share/doc/wufang-hub/README.md", 0o644}},
			conffiles: []file{{"build/hub.example.yaml", "/etc/wufang/hub.yaml", 0o644}},
			sysusers:  hubSysusers,
			depends:   append([]string{}, userDeps...),
		},
		{
			name:    "wufang-pack",
			summary: "staff tool for wufang content packs",
			desc: `Makes, checks, signs and installs the content packs a wufang kiosk
shows: wufang-pack init, validate, build, sign, verify, install and
rollback.`,
			arches: []string{"amd64", "arm64", "armhf", "armel"},
			bins:   []string{"wufang-pack"},
		},
	}
}

// docs: the installer's page and the wiring page, beside the copyright.
func docs(name string) []file {
	return []file{
		{"build/DEPLOY.md", "/usr/share/doc/" + name + "/DEPLOY.md", 0o644},
		{"sensors/WIRING.md", "/usr/share/doc/" + name + "/WIRING.md", 0o644},
	}
}
