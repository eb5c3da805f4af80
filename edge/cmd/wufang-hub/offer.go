package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/wufang-kiosk/wufang/edge/cmdline"
	"github.com/wufang-kiosk/wufang/edge/hub"
	"github.com/wufang-kiosk/wufang/edge/hub/db"
	"github.com/wufang-kiosk/wufang/edge/hub/hubconfig"
	"github.com/wufang-kiosk/wufang/edge/hub/ingest"
	"github.com/wufang-kiosk/wufang/edge/hub/web"
	"github.com/wufang-kiosk/wufang/edge/uplink"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

const offerSynopsis = `offer --site S [--device D]... PACK    offer a signed pack (file name in content.packs_dir, or id@version)
       wufang-hub offer --site S [--device D]... --withdraw
       wufang-hub offer --site S [--device D]... --previous   offer the release before the one offered (a rollback)
       wufang-hub offer --list [--site S]                    the releases, and each device's pack and offer`

type devicesFlag []string

func (d *devicesFlag) String() string     { return strings.Join(*d, ",") }
func (d *devicesFlag) Set(v string) error { *d = append(*d, v); return nil }

// library reads content.packs_dir with the hub's trusted keys.
func library(cfg *hubconfig.Config) (*hub.Library, error) {
	if cfg.Content.PacksDir == "" {
		return nil, fmt.Errorf("content.packs_dir is not set: put the signed .wfpack releases in a folder and name it there")
	}
	lib := &hub.Library{Dir: cfg.Content.PacksDir, TrustedKeys: cfg.Content.TrustedKeys}
	if err := lib.Scan(); err != nil {
		return nil, err
	}
	return lib, nil
}

func offerer(d *db.DB, lib *hub.Library, cfg *hubconfig.Config, password string) *hub.Offerer {
	m := cfg.MQTT
	mc := uplink.Config{Broker: m.Broker, TopicRoot: m.TopicRoot, Username: m.Username, Password: password,
		CAFile: m.CAFile, CertFile: m.CertFile, KeyFile: m.KeyFile}
	return &hub.Offerer{DB: d, Library: lib, Root: m.TopicRoot, PublicURL: cfg.Content.PublicURL,
		Publish: func(ctx context.Context, topic string, payload []byte) error {
			ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			return ingest.PublishRetained(ctx, mc, m.ClientID+"-offer", topic, payload)
		}}
}

// packRoutes serves the releases and the offer API when content.packs_dir
// is set; the folder is read again every minute, so a release copied in is
// offered without a restart.
// It returns the Offerer the dashboard's offer actions use (nil without
// content.packs_dir).
func (e *env) packRoutes(ctx context.Context, mux *http.ServeMux, h *hub.Hub, d *db.DB, cfg *hubconfig.Config, password string, log *slog.Logger) (*hub.Offerer, error) {
	if cfg.Content.PacksDir == "" {
		return nil, nil
	}
	lib, err := library(cfg)
	if err != nil {
		return nil, err
	}
	for file, why := range lib.Problems() {
		log.Warn("a .wfpack in content.packs_dir is not offered", "file", file, "reason", why)
	}
	go func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := lib.Scan(); err != nil {
					log.Warn("read content.packs_dir", "error", err)
				}
			}
		}
	}()
	token := ""
	if cfg.Content.OfferTokenFile != "" {
		if token, err = web.TokenFromFile(cfg.Content.OfferTokenFile); err != nil {
			return nil, fmt.Errorf("content.offer_token_file: %w", err)
		}
	}
	off := offerer(d, lib, cfg, password)
	h.PackRoutes(mux, lib, off, token)
	log.Info("serving packs", "releases", len(lib.Releases()), "public_url", cfg.Content.PublicURL, "offer_api", token != "")
	return off, nil
}

func (e *env) offer(args []string) error {
	fs := e.flags("offer", offerSynopsis)
	site := fs.String("site", "", "the site")
	var devices devicesFlag
	fs.Var(&devices, "device", "a device of the site (repeat for several; none: the whole site)")
	withdraw := fs.Bool("withdraw", false, "withdraw the offer")
	previous := fs.Bool("previous", false, "offer the release before the one offered now, as a rollback")
	list := fs.Bool("list", false, "list the releases and each device's pack and offer")
	rest, err := cmdline.ParseArgs(fs, args)
	if err != nil {
		return err
	}
	modes := 0
	for _, b := range []bool{*withdraw, *previous, *list, len(rest) > 0} {
		if b {
			modes++
		}
	}
	switch {
	case modes != 1 || len(rest) > 1:
		return cmdline.Usagef("offer: give exactly one of PACK, --withdraw, --previous or --list")
	case !*list && *site == "":
		return cmdline.Usagef("offer: --site is required")
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	password, err := cfg.Password()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	d, h, err := openHub(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	lib, err := library(cfg)
	if err != nil {
		return err
	}
	if *list {
		return e.listPacks(ctx, h, lib, *site)
	}
	o := offerer(d, lib, cfg, password)
	switch {
	case *withdraw:
		if err := o.Withdraw(ctx, *site, devices); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "withdrawn: %s %s (the devices keep the pack they run)\n", *site, scopeText(devices))
		return nil
	case *previous:
		offers, err := o.OfferPrevious(ctx, *site, devices)
		return e.printOffers(offers, *site, devices, err)
	default:
		offers, err := o.Offer(ctx, *site, devices, rest[0])
		return e.printOffers(offers, *site, devices, err)
	}
}

func scopeText(devices []string) string {
	if len(devices) == 0 {
		return "(every device of the site)"
	}
	return strings.Join(devices, ", ")
}

func (e *env) printOffers(offers []wire.Offer, site string, devices []string, err error) error {
	for _, o := range offers {
		kind := "offered"
		if o.Rollback {
			kind = "offered as a rollback"
		}
		fmt.Fprintf(e.stdout, "%s: %s %s to %s %s (%s, %d bytes)\n", kind, o.ID, o.Version, site, scopeText(devices), o.URL, o.Size)
	}
	return err
}

func (e *env) listPacks(ctx context.Context, h *hub.Hub, lib *hub.Library, site string) error {
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RELEASE\tVERSION\tFILE\tSHA-256\tSIGNED BY")
	for _, r := range lib.Releases() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Version, r.File, r.SHA256[:16], r.Signer)
	}
	for f, why := range lib.Problems() {
		fmt.Fprintf(tw, "(not offered)\t\t%s\t\t%s\n", f, why)
	}
	tw.Flush()
	states, err := h.PackStates(ctx, site)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout)
	tw = tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SITE\tDEVICE\tRUNS\tOFFERED\tOUTCOME\tREASON")
	for _, s := range states {
		offered, outcome, reason := "-", "-", ""
		if s.Offer != nil {
			offered = s.Offer.Pack + " " + s.Offer.Version
			if s.Offer.Rollback {
				offered += " (rollback)"
			}
			outcome, reason = s.Offer.Outcome, s.Offer.Reason
		}
		fmt.Fprintf(tw, "%s\t%s\t%s %s\t%s\t%s\t%s\n", s.Site, s.Device, s.Pack, s.PackVersion, offered, outcome, reason)
	}
	return tw.Flush()
}
