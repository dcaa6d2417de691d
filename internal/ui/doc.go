// Package ui renders things for people: the colour styles every command
// shares, tables, and small formatting helpers. It knows nothing of the
// domain; commands decide what is a success or a failure and ask ui to show
// it so.
//
// Tables are rendered in one helper (RenderTable) and built with Facts
// (labelled values), Shares (counts with their share of a total) and
// RenderCounts; it imports no other yafdp package.
package ui
