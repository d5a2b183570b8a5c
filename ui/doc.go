// Package ui is the terminal browser of `mqttpcap ui` and `mqttpcap live
// --ui`: the packet list, the selected packet's field tree and annotated
// hexdump (linked both ways), the connections with their verdicts, the
// flow of a connection, a display filter bar, marks and exports, on
// Bubble Tea v2.
//
// It is a view over pipeline records and report's formatting, not a
// second decoder: it imports pipeline/, report/, filter/ and export/, and
// nothing imports it but the command.
//
// # Scale: an index, a spill file, decoding on demand
//
// A capture of gigabytes must open at once and stay responsive, in memory
// that does not hold its packets. So the pipeline runs over the file in the
// background, with the Index as its sink, and the screen is drawn from
// what the index has so far (the title says how far the reading is):
//
//   - For each packet or event, the index keeps a 24-byte entry in memory
//     (where its blob is in the spill file, its frame, its connection, its
//     kind and MQTT type, and flags: a protocol problem, a OneNET finding, a
//     refused login, the connection's CONNECT seen). Entries are kept in
//     chunks of 65,536, so growing never copies the whole list. Memory is
//     bounded by the index: 24 bytes a packet, plus what the summary
//     collector keeps per connection and topic, as read's does.
//   - The record itself goes to an append-only spill file (a temporary
//     file, unlinked at once): the packet's raw bytes, what the decoder's
//     frame and session added (header length, remaining length, how it was
//     cut, the version, the alias topic, the problems) and OneNET's reading
//     in compact form (the findings, the topic's classification, the
//     pairing of a reply; the token and the OneJSON message are parsed
//     again from the packet). See codec.go.
//   - The rows on screen, the selected packet and the other views read their
//     records back from the spill and decode the packet again with the same
//     version (decode.Decoder), giving the pipeline.Record the pipeline
//     handed on, so report renders them: TestRowsAreRecords checks, for every
//     record of every test capture, that the list line, the field tree with
//     its notes and the hexdump are the same as from the original record.
//
// Why not keep file offsets and run the pipeline again from there? A
// packet's decoding depends on its connection (the version, topic aliases,
// the bytes of earlier segments) and OneNET's reading on everything the
// connection did before (the CONNECT, pending requests); re-reading from a
// file offset would have to rebuild that state, and live traffic has no file
// to re-read. Keeping the record's own bytes and the little state it
// depended on makes every row independent, for files and live captures
// alike, at the cost of disk: the spill holds every MQTT packet and OneNET's
// findings, 1.4 GB for the 1 GB benchmark capture (7.1 million rows),
// whose index takes 198 MB of heap (28 bytes a row with the summary's
// state) and opens its first screen in 13 ms (BenchmarkOpen).
//
// A display filter is matched by a background job (rowSet) over the
// index, each record rebuilt from the spill and given to filter.Match (the
// -Y code): the list fills as matches are found and keeps up with a
// capture still being read. Following a connection is a filter on the
// entries' connection, which needs no decoding.
//
// # Concurrency
//
// The pipeline's goroutine appends to the index under its lock; the Bubble
// Tea goroutine and the filter jobs read under it. Each reader has its own
// loader (a spill window and a decoder), since a decoded packet aliases
// them. The model looks at the index and the jobs on a 100 ms tick.
package ui
