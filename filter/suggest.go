package filter

import "strings"

// closest returns the candidate nearest to s by edit distance, when it is
// near enough to be what the user meant: at most 2 edits (a third of the
// length for long names), and fewer edits than s has runes, so that "x"
// suggests nothing rather than every one-letter neighbour.
func closest(s string, candidates []string) (string, bool) {
	s = strings.ToLower(s)
	limit := max(2, len([]rune(s))/3)
	best, bestD := "", limit+1
	for _, c := range candidates {
		if d := editDistance(s, strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best, bestD <= limit && bestD < len([]rune(s))
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
