/* confab-markdown-splitter.c: where a growing markdown text can be cut
 * into independently parsed pieces
 *
 * Streaming replies grow by a few bytes at a time. Re-parsing the whole
 * reply on every update would make rendering quadratic, so the view cuts
 * the text into pieces at points where no later text can change how the
 * earlier part parses, and re-parses only the last piece.
 *
 * A cut goes before a line that starts in column 0 after a blank line
 * (or after an ATX heading or a closing code fence), outside a fenced
 * code block. Such a line can never continue what came before: blank
 * lines end paragraphs, headings and tables, and an unindented line ends
 * list items, block quotes and indented code. Two cases are excluded to
 * keep lists whole: a list marker while a list may still be open, and any
 * indented line (it may be a list item's continuation or indented code).
 *
 * Decisions are made on complete lines only and depend on nothing but the
 * text before them, so the cuts are the same however the text arrived:
 * streaming a reply renders exactly what rendering it at once does. (The
 * one thing CommonMark allows across a cut is a link reference definition
 * used before it is defined; models do not write those.)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "confab-markdown-splitter.h"

struct _ConfabMarkdownSplitter
{
  gsize    scanned;      /* offset of the first line not yet scanned */
  char     fence_char;   /* '`' or '~' inside a fenced code block, else 0 */
  gsize    fence_len;
  gboolean can_cut;      /* the previous line ended every open block */
  gboolean list_open;    /* a top-level list may continue */
};

ConfabMarkdownSplitter *
confab_markdown_splitter_new (void)
{
  return g_new0 (ConfabMarkdownSplitter, 1);
}

void
confab_markdown_splitter_free (ConfabMarkdownSplitter *self)
{
  g_free (self);
}

void
confab_markdown_splitter_reset (ConfabMarkdownSplitter *self)
{
  g_return_if_fail (self != NULL);

  memset (self, 0, sizeof *self);
}

static gboolean
is_blank (const char *line,
          gsize       len)
{
  gsize i;

  for (i = 0; i < len; i++)
    if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
      return FALSE;
  return TRUE;
}

/* "- ", "* ", "+ ", "1. ", "1) " (or the marker alone on its line) */
static gboolean
is_list_marker (const char *line,
                gsize       len)
{
  gsize i = 0;

  if (len > 0 && (line[0] == '-' || line[0] == '*' || line[0] == '+'))
    i = 1;
  else
    {
      while (i < len && i < 9 && g_ascii_isdigit (line[i]))
        i++;
      if (i == 0 || i >= len || (line[i] != '.' && line[i] != ')'))
        return FALSE;
      i++;
    }
  return i == len || line[i] == ' ' || line[i] == '\t' || line[i] == '\r';
}

static gsize
leading_spaces (const char *line,
                gsize       len)
{
  gsize i = 0;

  while (i < len && line[i] == ' ')
    i++;
  return i;
}

static gsize
run_length (const char *p,
            gsize       len,
            char        c)
{
  gsize i = 0;

  while (i < len && p[i] == c)
    i++;
  return i;
}

/* An opening fence: up to three spaces, three or more ` or ~, and for
 * backticks an info string without backticks. */
static gboolean
opens_fence (ConfabMarkdownSplitter *self,
             const char             *line,
             gsize                   len)
{
  gsize indent = leading_spaces (line, len);
  gsize n;
  char c;

  if (indent > 3 || indent >= len)
    return FALSE;
  c = line[indent];
  if (c != '`' && c != '~')
    return FALSE;
  n = run_length (line + indent, len - indent, c);
  if (n < 3)
    return FALSE;
  if (c == '`' && memchr (line + indent + n, '`', len - indent - n) != NULL)
    return FALSE;
  self->fence_char = c;
  self->fence_len = n;
  return TRUE;
}

static gboolean
closes_fence (ConfabMarkdownSplitter *self,
              const char             *line,
              gsize                   len)
{
  gsize indent = leading_spaces (line, len);
  gsize n;

  if (indent > 3)
    return FALSE;
  n = run_length (line + indent, len - indent, self->fence_char);
  return n >= self->fence_len && is_blank (line + indent + n, len - indent - n);
}

static gboolean
is_atx_heading (const char *line,
                gsize       len)
{
  gsize n = run_length (line, len, '#');

  return n >= 1 && n <= 6 && (n == len || line[n] == ' ' || line[n] == '\t' || line[n] == '\r');
}

/* Looks at one complete line (without its '\n') starting at @offset;
 * returns TRUE if the text may be cut before it. */
static gboolean
scan_line (ConfabMarkdownSplitter *self,
           const char             *line,
           gsize                   len)
{
  gboolean cut = FALSE;

  if (self->fence_char != 0)
    {
      if (closes_fence (self, line, len))
        {
          self->fence_char = 0;
          self->can_cut = TRUE;
        }
      return FALSE;
    }

  if (is_blank (line, len))
    {
      self->can_cut = TRUE;
      return FALSE;
    }

  if (line[0] == ' ' || line[0] == '\t')
    {
      /* Indented: a list item's continuation, or indented code. */
      self->can_cut = FALSE;
      opens_fence (self, line, len);
      return FALSE;
    }

  if (is_list_marker (line, len))
    {
      cut = self->can_cut && !self->list_open;
      self->list_open = TRUE;
    }
  else
    {
      cut = self->can_cut;
      if (cut)
        self->list_open = FALSE;
    }

  self->can_cut = is_atx_heading (line, len);
  opens_fence (self, line, len);
  return cut;
}

/**
 * confab_markdown_splitter_scan:
 * @self: a splitter
 * @text: the whole text so far (it only ever grows between resets)
 * @len: its length in bytes
 * @splits: (element-type gsize): where the offsets of new cuts are appended
 *
 * Scans the complete lines of @text not scanned before and appends the
 * offsets where the text may be cut, in increasing order. Offset 0 is
 * never a cut.
 */
void
confab_markdown_splitter_scan (ConfabMarkdownSplitter *self,
                               const char             *text,
                               gsize                   len,
                               GArray                 *splits)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (text != NULL || len == 0);
  g_return_if_fail (splits != NULL);
  g_return_if_fail (self->scanned <= len);

  while (self->scanned < len)
    {
      const char *line = text + self->scanned;
      const char *newline = memchr (line, '\n', len - self->scanned);

      if (newline == NULL)
        break;
      if (scan_line (self, line, newline - line) && self->scanned > 0)
        g_array_append_val (splits, self->scanned);
      self->scanned = newline + 1 - text;
    }
}
