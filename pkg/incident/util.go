package incident

import "time"

func tp(t time.Time) *time.Time { return &t }
