package main

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"

	"github.com/wufang-kiosk/wufang/edge/cmdline"
)

func (e *env) export(args []string) error {
	fs := e.flags("export", "export --site SITE --from yyyy-mm-dd --to yyyy-mm-dd [--hourly] > counts.csv")
	site := fs.String("site", "", "site id")
	from := fs.String("from", "", "first day (yyyy-mm-dd, in the site's time zone)")
	to := fs.String("to", "", "last day (inclusive)")
	hourly := fs.Bool("hourly", false, "one row per hour instead of per day")
	if err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	if *site == "" || *from == "" || *to == "" {
		return cmdline.Usagef("export needs --site, --from and --to")
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	ctx := context.Background()
	d, h, err := openHub(ctx, cfg, slog.New(slog.NewTextHandler(e.stderr, nil)))
	if err != nil {
		return err
	}
	defer d.Close()
	w := bufio.NewWriter(e.stdout)
	if *hourly {
		err = h.ExportHourly(ctx, w, *site, *from, *to)
	} else {
		err = h.ExportDaily(ctx, w, *site, *from, *to)
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return w.Flush()
}
