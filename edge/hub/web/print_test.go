package web

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// A4 with the stylesheet's @page margins (15 mm top and bottom, 12 mm left
// and right), in CSS pixels (96 to the inch).
const printableWidth = 703 // (210 - 2*12) mm * 96 / 25.4 = 702.99

// printLayout is what the report looks like in print media at the
// printable width.
type printLayout struct {
	Width    float64  `json:"width"`
	DocWidth float64  `json:"docWidth"`
	Cut      []string `json:"cut"`   // tables or cells beyond the printable width
	Shown    []string `json:"shown"` // navigation, forms, buttons still shown
	Tables   int      `json:"tables"`
}

const printLayoutJS = `(() => {
  const W = document.documentElement.clientWidth;
  const out = {width: W, docWidth: document.documentElement.scrollWidth, cut: [], shown: [], tables: 0};
  for (const t of document.querySelectorAll('main table')) {
    out.tables++;
    const r = t.getBoundingClientRect();
    if (r.left < -0.5 || r.right > W + 0.5 || t.scrollWidth > t.clientWidth + 1) {
      out.cut.push((t.id || 'table') + ' ' + Math.round(r.left) + '..' + Math.round(r.right) + ' of ' + W);
    }
    for (const c of t.querySelectorAll('td, th')) {
      const cr = c.getBoundingClientRect();
      if (cr.right > W + 0.5 || c.scrollWidth > c.clientWidth + 1) {
        out.cut.push((t.id || 'table') + ' cell ' + JSON.stringify(c.textContent.trim().slice(0, 20)));
      }
    }
  }
  for (const e of document.querySelectorAll('header, nav, form, button, input, select, .noprint, #lang-switch')) {
    if (e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden') {
      out.shown.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : ''));
    }
  }
  return out;
})()`

// pdfPages counts the pages of a PDF as Chromium writes it (Skia: one
// uncompressed /Type /Page dictionary a page).
var pdfPageRe = regexp.MustCompile(`/Type\s*/Page\b[^s]`)

func pdfPages(pdf []byte) int { return len(pdfPageRe.FindAll(pdf, -1)) }

// TestPrintReport prints the report to PDF on A4 (Page.printToPDF, the
// stylesheet's @page) in both languages, for one site's month and for all
// sites, and checks: the number of pages the fixture's report takes; in
// print media at the printable width no table or cell is cut off at the
// right; navigation, the pickers and every button are hidden. The PDFs
// (and, with poppler-utils' pdftoppm installed, a PNG of each page) are
// saved under the test's artifacts and $WUFANG_SCREENSHOTS.
func TestPrintReport(t *testing.T) {
	b := newBrowser(t)
	f := newFixture(t)
	base := f.srv.URL
	b.do(t, chromedp.EmulateViewport(1366, 768), chromedp.Navigate(base+"/login?lang=en"), chromedp.WaitVisible(chromedp.ID("user")),
		chromedp.SendKeys(chromedp.ID("user"), testUser), chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("overview")))
	media := func(m string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
			return err
		})
	}
	pdftoppm, _ := exec.LookPath("pdftoppm")
	for _, c := range []struct {
		name, path string
		pages      int
	}{
		// sh, March 2026: totals, busiest days and hours, modules, and the
		// 31 days (the daily table goes on to the second page).
		{"report-sh", "/report?site=sh&month=2026-03", 2},
		// Every site, March 2026: a line a site in the totals.
		{"report-all", "/report?month=2026-03", 2},
		// A quarter: 92 days.
		{"report-sh-quarter", "/report?site=sh&from=2026-01-01&to=2026-03-31", 4},
	} {
		for _, l := range []string{"zh", "en"} {
			name := c.name + "-" + l
			b.do(t, media("print"), chromedp.EmulateViewport(printableWidth, 1000),
				chromedp.Navigate(base+c.path+"&lang="+l), chromedp.WaitVisible(chromedp.ID("report-days")))
			lay, err := chromedp.Run(b.ctx, chromedp.Evaluate[printLayout](printLayoutJS))
			if err != nil {
				t.Fatal(err)
			}
			if lay.Tables < 4 {
				t.Errorf("%s: %d tables: the check sees nothing", name, lay.Tables)
			}
			if lay.DocWidth > lay.Width+0.5 || len(lay.Cut) > 0 {
				t.Errorf("%s: in print at %.0f px (A4 less margins) the page is %.0f px wide, cut off: %q", name, lay.Width, lay.DocWidth, lay.Cut)
			}
			if len(lay.Shown) > 0 {
				t.Errorf("%s: shown in print: %q", name, lay.Shown)
			}
			pdf, err := chromedp.Run(b.ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPreferCSSPageSize()))
			if err != nil {
				t.Fatal(err)
			}
			b.do(t, media(""))
			if n := pdfPages(pdf); n != c.pages {
				t.Errorf("%s: %d pages on A4, want %d", name, n, c.pages)
			}
			for _, dir := range []string{t.ArtifactDir(), os.Getenv("WUFANG_SCREENSHOTS")} {
				if dir == "" {
					continue
				}
				file := filepath.Join(dir, name+".pdf")
				if err := os.WriteFile(file, pdf, 0o644); err != nil {
					t.Fatal(err)
				}
				if pdftoppm != "" {
					if out, err := exec.Command(pdftoppm, "-r", "60", "-png", file, strings.TrimSuffix(file, ".pdf")).CombinedOutput(); err != nil {
						t.Errorf("pdftoppm %s: %v %s", file, err, out)
					}
				}
			}
		}
	}
	if pdftoppm == "" {
		t.Log("pdftoppm (poppler-utils) not installed: the PDFs are saved without page images")
	}
}
