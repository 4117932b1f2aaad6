package config

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ByteSize is a size limit: a number of bytes, or a string with a unit
// ("10MiB", "512KB", "1.5 GiB"; KB/MB/GB are read as powers of 1024, as
// people mean them for limits).
type ByteSize int64

var sizeUnits = map[string]float64{
	"": 1, "b": 1,
	"k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10,
	"m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20,
	"g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30,
}

// ParseByteSize reads "10MiB", "512 KB" or "1048576".
func ParseByteSize(s string) (ByteSize, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return !(r >= '0' && r <= '9' || r == '.') })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	}
	mult, ok := sizeUnits[unit]
	f, err := strconv.ParseFloat(num, 64)
	if !ok || err != nil || f < 0 || f*mult > math.MaxInt64/2 {
		return 0, fmt.Errorf("invalid size %q (use e.g. 10MiB, 512KB or a number of bytes)", s)
	}
	return ByteSize(f * mult), nil
}

func (b *ByteSize) UnmarshalJSON(data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	switch t := v.(type) {
	case nil:
		*b = 0
	case float64:
		if t < 0 || t > math.MaxInt64/2 {
			return fmt.Errorf("invalid size %v", t)
		}
		*b = ByteSize(t)
	case string:
		x, err := ParseByteSize(t)
		if err != nil {
			return err
		}
		*b = x
	default:
		return fmt.Errorf("invalid size %v (use e.g. 10MiB or a number of bytes)", v)
	}
	return nil
}

func (b ByteSize) MarshalJSON() ([]byte, error) { return json.Marshal(b.String()) }

// String prints the size the way errors name caps: "10 MiB", "512 KiB".
func (b ByteSize) String() string {
	switch {
	case b >= 1<<30 && b%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", b>>30)
	case b >= 1<<20 && b%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", b>>20)
	case b >= 1<<10 && b%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", b>>10)
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", int64(b))
}
