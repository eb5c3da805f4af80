package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/wufang-kiosk/wufang/edge/cmdline"
	"github.com/wufang-kiosk/wufang/edge/config"
	"github.com/wufang-kiosk/wufang/edge/wire"
)

func (e *env) export(args []string) error {
	fs := e.flags("export", "export --from DATE --to DATE > days.csv")
	from := fs.String("from", "", "first day, yyyy-mm-dd (site time zone)")
	to := fs.String("to", "", "last day, yyyy-mm-dd (inclusive)")
	if err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return cmdline.Usagef("export needs --from and --to, like --from 2026-01-01 --to 2026-01-31")
	}
	for _, d := range []struct{ flag, v string }{{"--from", *from}, {"--to", *to}} {
		if _, err := time.Parse(wire.DateLayout, d.v); err != nil {
			return cmdline.Usagef("export %s %q is not a date; write it like 2026-01-31", d.flag, d.v)
		}
	}
	if *from > *to {
		return cmdline.Usagef("export: --from %s is after --to %s", *from, *to)
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	days, err := loadDays(cfg, *from, *to)
	if err != nil {
		return err
	}
	return writeCSV(e.stdout, days)
}

func loadDays(cfg *config.Config, from, to string) ([]wire.Daily, error) {
	base := endpoint(cfg)
	var httpErr error
	if base != "" {
		var days []wire.Daily
		if httpErr = httpGet(context.Background(), base+"/days?from="+from+"&to="+to, &days); httpErr == nil {
			return days, nil
		}
	}
	s, err := openReadOnly(cfg, base, httpErr)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return s.Days(from, to)
}

// writeCSV writes one row per day: the fixed counters, then started,
// completed and passed per module for every module seen in the range.
func writeCSV(w io.Writer, days []wire.Daily) error {
	var started, completed, passed []map[string]uint64
	for _, d := range days {
		started = append(started, d.Counters.ModulesStarted)
		completed = append(completed, d.Counters.ModulesCompleted)
		passed = append(passed, d.Counters.ModulesPassed)
	}
	modules := sortedKeys(append(append(started, completed...), passed...)...)
	head := []string{"date", "entries", "exits", "after_hours_entries", "after_hours_exits", "sessions",
		"feedback_1", "feedback_2", "feedback_3", "answers_right", "answers_wrong", "sensor_faults"}
	for _, m := range modules {
		head = append(head, m+"_started", m+"_completed", m+"_passed")
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(head); err != nil {
		return err
	}
	u := func(v uint64) string { return strconv.FormatUint(v, 10) }
	for _, d := range days {
		c := d.Counters
		row := []string{d.Date, u(c.Entries), u(c.Exits), u(c.AfterHoursEntries), u(c.AfterHoursExits), u(c.Sessions),
			u(c.Feedback[0]), u(c.Feedback[1]), u(c.Feedback[2]), u(sum(c.AnswersRight)), u(sum(c.AnswersWrong)), u(c.SensorFaults)}
		for _, m := range modules {
			row = append(row, u(c.ModulesStarted[m]), u(c.ModulesCompleted[m]), u(c.ModulesPassed[m]))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}
