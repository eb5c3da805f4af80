package content

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"math"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Image limits. A 7-inch kiosk screen is 800×480 and a large one 1920×1080;
// nothing a pack needs is bigger than these.
const (
	MaxImageBytes = 4 << 20 // per image file
	MaxImageSide  = 4096    // pixels, width and height
)

// Image formats a pack may use.
const (
	FormatPNG  = "png"
	FormatJPEG = "jpeg"
	FormatSVG  = "svg"
)

// ImageInfo is what the header of an image says.
type ImageInfo struct {
	Format        string // FormatPNG, FormatJPEG or FormatSVG
	Width, Height float64
}

// mediaKind says from a file name which image format it must hold, or "".
func mediaKind(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".png":
		return FormatPNG
	case ".jpg", ".jpeg":
		return FormatJPEG
	case ".svg":
		return FormatSVG
	}
	return ""
}

// checkMediaPath says what is wrong with a media path as written in a pack
// file, or "" when it is usable.
func checkMediaPath(p string) string {
	switch {
	case strings.Contains(p, `\`):
		return fmt.Sprintf("%q uses \\; write paths with / like media/fire.svg", p)
	case strings.HasPrefix(p, "/"):
		return fmt.Sprintf("%q is an absolute path; write it relative to the pack folder, like media/fire.svg", p)
	case !fs.ValidPath(p) || p == ".":
		return fmt.Sprintf("%q is not a path inside the pack; write it relative to the pack folder without .. or ./, like media/fire.svg", p)
	case mediaKind(p) == "":
		return fmt.Sprintf("%q is not a PNG, JPEG or SVG file; convert the image to one of those (.png, .jpg, .svg)", p)
	}
	return ""
}

// Media reads an image of a pack for display. It checks the path, the size
// and the header (format and dimensions) before it returns the bytes, so a
// renderer never decodes an oversized or disguised image.
func Media(fsys fs.FS, name string) ([]byte, error) {
	if msg := checkMediaPath(name); msg != "" {
		return nil, fmt.Errorf("media: %s", msg)
	}
	data, err := readMedia(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	if _, err := imageHeader(name, data); err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	return data, nil
}

// CheckMedia checks one picture as the validator checks each of a pack's:
// its path, its size, its format against its name, its dimensions, an
// SVG's safety (no scripts, entities or outside references) and a full
// decode. The studio runs it on an upload before the picture is stored.
func CheckMedia(name string, data []byte) (ImageInfo, error) {
	if msg := checkMediaPath(name); msg != "" {
		return ImageInfo{}, errors.New(msg)
	}
	if len(data) > MaxImageBytes {
		return ImageInfo{}, tooLarge(name)
	}
	return checkImage(name, data)
}

func readMedia(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s does not exist in the pack; check the spelling or add the file", name)
		}
		return nil, fmt.Errorf("%s cannot be read: %w", name, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxImageBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s cannot be read: %w", name, err)
	}
	if len(data) > MaxImageBytes {
		return nil, tooLarge(name)
	}
	return data, nil
}

func tooLarge(name string) error {
	return fmt.Errorf("%s is larger than %d MiB; make the image smaller (at most %d×%d pixels is plenty) or save it with more compression", name, MaxImageBytes>>20, MaxImageSide, MaxImageSide)
}

// imageHeader reads only the header of an image and checks its format
// against its file name and its dimensions against the limits.
func imageHeader(name string, data []byte) (ImageInfo, error) {
	want := mediaKind(name)
	if want == FormatSVG {
		info, err := svgHeader(data)
		if err != nil {
			return info, fmt.Errorf("%s: %w", name, err)
		}
		return info, nil
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return ImageInfo{}, fmt.Errorf("%s is not a readable %s image (%v); export it again as %s", name, strings.ToUpper(want), trimImageErr(err), strings.ToUpper(want))
	}
	if format != want {
		return ImageInfo{}, fmt.Errorf("%s holds a %s image but its name ends in %s; rename it to match what it is", name, strings.ToUpper(format), path.Ext(name))
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxImageSide || cfg.Height > MaxImageSide {
		return ImageInfo{}, fmt.Errorf("%s is %d×%d pixels; the limit is %d×%d, scale the image down", name, cfg.Width, cfg.Height, MaxImageSide, MaxImageSide)
	}
	return ImageInfo{Format: format, Width: float64(cfg.Width), Height: float64(cfg.Height)}, nil
}

func trimImageErr(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "image: ")
	return s
}

// checkImage checks an image fully: header first, then a real decode.
func checkImage(name string, data []byte) (ImageInfo, error) {
	info, err := imageHeader(name, data)
	if err != nil {
		return info, err
	}
	switch info.Format {
	case FormatPNG:
		_, err = png.Decode(bytes.NewReader(data))
	case FormatJPEG:
		_, err = jpeg.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return info, fmt.Errorf("%s has a valid header but its picture data is damaged (%v); export it again", name, trimImageErr(err))
	}
	return info, nil
}

// svgHeader parses an SVG file completely (it is text, at most
// MaxImageBytes) and returns the size of its root element. It refuses
// documents a kiosk should not render: entity declarations, scripts and
// references to other files or the network.
func svgHeader(data []byte) (ImageInfo, error) {
	info := ImageInfo{Format: FormatSVG}
	if !utf8.Valid(data) {
		return info, errors.New("is not UTF-8 text; save the SVG as UTF-8")
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	var root *xml.StartElement
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return info, fmt.Errorf("is not a well-formed SVG file (%v); open it in an SVG editor and save it again", err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			if bytes.Contains(t, []byte("ENTITY")) {
				return info, errors.New("declares XML entities (<!ENTITY>); remove the DOCTYPE, SVG files for the kiosk do not need one")
			}
		case xml.StartElement:
			if root == nil {
				if t.Name.Local != "svg" {
					return info, fmt.Errorf("starts with <%s>, not <svg>; it is not an SVG image", t.Name.Local)
				}
				e := t.Copy()
				root = &e
			}
			switch strings.ToLower(t.Name.Local) {
			case "script", "foreignobject":
				return info, fmt.Errorf("contains <%s>; remove it, the kiosk shows pictures only", t.Name.Local)
			}
			for _, a := range t.Attr {
				if a.Name.Local == "href" && !strings.HasPrefix(a.Value, "#") && !strings.HasPrefix(a.Value, "data:image/") {
					return info, fmt.Errorf("links to %q; an SVG in a pack must be self-contained, embed the picture or remove the link", a.Value)
				}
				if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") {
					return info, fmt.Errorf("has an event handler (%s); remove it, the kiosk shows pictures only", a.Name.Local)
				}
			}
		}
	}
	if root == nil {
		return info, errors.New("has no <svg> element; it is not an SVG image")
	}
	var w, h, vw, vh float64
	var hasVB bool
	for _, a := range root.Attr {
		switch a.Name.Local {
		case "width":
			w = svgLength(a.Value)
		case "height":
			h = svgLength(a.Value)
		case "viewBox":
			f := strings.FieldsFunc(a.Value, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' || r == '\n' || r == '\r' })
			if len(f) != 4 {
				return info, fmt.Errorf("has viewBox=%q; write four numbers, like viewBox=\"0 0 800 600\"", a.Value)
			}
			for i, s := range f {
				x, err := strconv.ParseFloat(s, 64)
				if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
					return info, fmt.Errorf("has viewBox=%q; write four numbers, like viewBox=\"0 0 800 600\"", a.Value)
				}
				switch i {
				case 2:
					vw = x
				case 3:
					vh = x
				}
			}
			if vw <= 0 || vh <= 0 {
				return info, fmt.Errorf("has viewBox=%q with no area; its width and height must be above 0", a.Value)
			}
			hasVB = true
		}
	}
	if w > MaxImageSide || h > MaxImageSide {
		return info, fmt.Errorf("says it is %g×%g pixels; the limit is %d×%d, make width and height smaller (the viewBox keeps the drawing)", w, h, MaxImageSide, MaxImageSide)
	}
	switch {
	case w > 0 && h > 0:
		info.Width, info.Height = w, h
	case hasVB:
		info.Width, info.Height = vw, vh
	default:
		return info, errors.New("has neither a viewBox nor a width and height, so its shape is unknown; add viewBox=\"0 0 W H\" to the <svg> element")
	}
	return info, nil
}

// svgLength parses an SVG width or height in pixels ("800", "800px"); other
// units (%, em, mm) give 0, meaning unknown.
func svgLength(s string) float64 {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "px"))
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || x <= 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}
