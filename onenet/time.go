package onenet

import (
	"strconv"
	"time"
)

// BeijingTime returns t in UTC+8, the time the OneNET console shows
// (onenet.md §2.5). The zone is a fixed offset named "CST", so the result
// does not depend on the system's tzdata.
func BeijingTime(t time.Time) time.Time {
	return t.In(time.FixedZone("CST", 8*60*60))
}

// formatTime renders t in UTC with the Beijing time beside it, the form
// used in findings: "2022-08-23 08:57:11 UTC (16:57:11 Beijing)". The
// Beijing date is shown only when it differs from the UTC date.
func formatTime(t time.Time) string {
	u := t.UTC()
	b := BeijingTime(t)
	bj := b.Format("15:04:05")
	if b.Format(time.DateOnly) != u.Format(time.DateOnly) {
		bj = b.Format(time.DateTime)
	}
	return u.Format(time.DateTime) + " UTC (" + bj + " Beijing)"
}

// formatAge renders how long ago something happened, in days when it is at
// least a day ("1226 days"), else as a duration rounded to the second.
func formatAge(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d >= 2*day:
		return strconv.FormatInt(int64(d/day), 10) + " days"
	case d >= day:
		return "1 day " + (d - day).Round(time.Second).String()
	}
	return d.Round(time.Second).String()
}
