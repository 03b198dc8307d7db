/* confab-markdown-parser.c: markdown (md4c) to a small tree of blocks
 *
 * md4c reports blocks, spans and text through callbacks; this file turns
 * them into ConfabMarkdownNode trees the view maps onto widgets. Inline
 * content becomes Pango markup in which every piece of model text has
 * been escaped, so nothing the model writes is ever read as markup.
 * Raw HTML is disabled in md4c and shows as the text it is.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <md4c.h>
#include <string.h>

#include "confab-markdown-parser.h"
#include "confab-markdown-text.h"

/* Emphasis nested deeper than this keeps its text but loses its style. */
#define MAX_SPAN_DEPTH 32
#define MAX_LANGUAGE_LEN 64
#define MAX_TOOLTIP_CHARS 500

#define PARSER_FLAGS (MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_TASKLISTS \
                      | MD_FLAG_PERMISSIVEAUTOLINKS | MD_FLAG_NOHTML)

typedef enum
{
  FRAME_PLAIN,      /* no node of its own (DOC, P, THEAD, …) */
  FRAME_CONTAINER,  /* pushed a container node */
  FRAME_SKIPPED,    /* a list or quote beyond CONFAB_MARKDOWN_MAX_DEPTH */
} Frame;

typedef struct
{
  char       *open;   /* owned; NULL when the span adds no style */
  const char *close;
  MD_SPANTYPE type;
} Span;

typedef struct
{
  ConfabMarkdownNode     *root;
  GArray                 *frames;      /* Frame, one per open md4c block */
  GPtrArray              *containers;  /* borrowed nodes, innermost last */
  guint                   depth;       /* open QUOTE and LIST nodes */
  guint                   lists;       /* open LIST nodes */

  /* the paragraph or heading receiving inline content */
  ConfabMarkdownNode     *para;
  ConfabMarkdownNode     *group;       /* holding the pieces of a long one */
  GString                *markup;
  gsize                   text_len;
  ConfabMarkdownNodeKind  text_kind;
  guint                   text_level;
  ConfabMarkdownAlign     text_align;
  const char             *prefix;

  GArray                 *spans;       /* Span */
  guint                   in_image;
  GString                *alt;
  char                   *image_uri;

  ConfabMarkdownNode     *code;
  GString                *code_text;

  guint                   row;
  guint                   column;
  gboolean                in_cell;

  const char             *doc;         /* the text md4c parses */
  gsize                   doc_len;
} Builder;

static ConfabMarkdownNode *
node_new (ConfabMarkdownNodeKind kind)
{
  ConfabMarkdownNode *node = g_new0 (ConfabMarkdownNode, 1);

  node->kind = kind;
  switch (kind)
    {
    case CONFAB_MARKDOWN_NODE_ROOT:
    case CONFAB_MARKDOWN_NODE_QUOTE:
    case CONFAB_MARKDOWN_NODE_LIST:
    case CONFAB_MARKDOWN_NODE_ITEM:
    case CONFAB_MARKDOWN_NODE_TABLE:
    case CONFAB_MARKDOWN_NODE_CELL:
    case CONFAB_MARKDOWN_NODE_GROUP:
      node->children = g_ptr_array_new_with_free_func ((GDestroyNotify) confab_markdown_node_free);
      break;
    case CONFAB_MARKDOWN_NODE_PARAGRAPH:
    case CONFAB_MARKDOWN_NODE_HEADING:
    case CONFAB_MARKDOWN_NODE_CODE:
    case CONFAB_MARKDOWN_NODE_RULE:
    case CONFAB_MARKDOWN_NODE_IMAGE:
    default:
      break;
    }
  return node;
}

/**
 * confab_markdown_node_free:
 * @node: (transfer full): a node and its children
 */
void
confab_markdown_node_free (ConfabMarkdownNode *node)
{
  if (node == NULL)
    return;
  g_clear_pointer (&node->children, g_ptr_array_unref);
  g_free (node->text);
  g_free (node->uri);
  g_free (node->language);
  g_free (node);
}

static ConfabMarkdownNode *
current_container (Builder *b)
{
  return g_ptr_array_index (b->containers, b->containers->len - 1);
}

static ConfabMarkdownNode *
add_node (Builder                *b,
          ConfabMarkdownNodeKind  kind)
{
  ConfabMarkdownNode *node = node_new (kind);

  g_ptr_array_add (current_container (b)->children, node);
  return node;
}

static void
push_frame (Builder *b,
            Frame    frame)
{
  g_array_append_val (b->frames, frame);
}

static void
push_container (Builder            *b,
                ConfabMarkdownNode *node)
{
  Frame frame = FRAME_CONTAINER;

  g_ptr_array_add (b->containers, node);
  g_array_append_val (b->frames, frame);
}

static Frame
top_frame (Builder *b)
{
  return g_array_index (b->frames, Frame, b->frames->len - 1);
}

static void
ensure_para (Builder *b)
{
  guint i;

  if (b->para != NULL)
    return;

  if (b->group != NULL)
    {
      b->para = node_new (b->text_kind);
      g_ptr_array_add (b->group->children, b->para);
    }
  else
    {
      b->para = add_node (b, b->text_kind);
    }
  b->para->level = b->text_level;
  b->para->align = b->text_align;
  b->para->header = b->in_cell;
  b->markup = g_string_new (NULL);
  b->text_len = 0;
  for (i = 0; i < b->spans->len; i++)
    {
      const Span *span = &g_array_index (b->spans, Span, i);

      if (span->open != NULL)
        g_string_append (b->markup, span->open);
    }
  if (b->prefix != NULL)
    {
      g_string_append (b->markup, b->prefix);
      b->prefix = NULL;
    }
}

/* Ends the current paragraph, closing the spans still open; the next
 * paragraph (after an image, say) opens them again. */
static void
finish_para (Builder *b)
{
  guint i;

  if (b->para == NULL)
    return;

  for (i = b->spans->len; i > 0; i--)
    {
      const Span *span = &g_array_index (b->spans, Span, i - 1);

      if (span->open != NULL)
        g_string_append (b->markup, span->close);
    }
  confab_markdown_break_long_runs (b->markup);
  b->para->text = g_string_free (g_steal_pointer (&b->markup), FALSE);
  b->para = NULL;
}

/* Ends the current piece of a long paragraph; the next text starts
 * another piece in the same GROUP. */
static void
split_para (Builder *b)
{
  if (b->group == NULL)
    {
      ConfabMarkdownNode *container = current_container (b);

      g_assert (g_ptr_array_index (container->children, container->children->len - 1) == b->para);
      b->group = node_new (CONFAB_MARKDOWN_NODE_GROUP);
      g_ptr_array_add (b->group->children,
                       g_ptr_array_steal_index (container->children, container->children->len - 1));
      g_ptr_array_add (container->children, b->group);
    }
  finish_para (b);
}

/* Ends the paragraph and any group it was split into. */
static void
end_para (Builder *b)
{
  finish_para (b);
  b->group = NULL;
}

static void
append_attribute_part (GString     *out,
                       MD_TEXTTYPE  type,
                       const char  *text,
                       gsize        len)
{
  if (type == MD_TEXT_NULLCHAR)
    g_string_append_unichar (out, 0xFFFD);
  else if (type != MD_TEXT_ENTITY || !confab_markdown_decode_entity (text, len, out))
    g_string_append_len (out, text, len);
}

/* The attribute's text with entities decoded; not yet sanitized. */
static char *
decode_attribute (const MD_ATTRIBUTE *attr)
{
  GString *out = g_string_new (NULL);
  guint i;

  if (attr->size == 0)
    return g_string_free (out, FALSE);

  for (i = 0; attr->substr_offsets[i] < attr->size; i++)
    {
      MD_OFFSET start = attr->substr_offsets[i];
      MD_OFFSET end = attr->substr_offsets[i + 1];

      append_attribute_part (out, attr->substr_types[i], attr->text + start, end - start);
    }
  return g_string_free (out, FALSE);
}

static char *
decode_uri (const MD_ATTRIBUTE *attr)
{
  g_autofree char *raw = decode_attribute (attr);

  return confab_markdown_normalize_uri (raw, -1);
}

static char *
decode_language (const MD_ATTRIBUTE *attr)
{
  g_autofree char *raw = decode_attribute (attr);
  GString *out = g_string_new (NULL);

  if (strlen (raw) > MAX_LANGUAGE_LEN)
    raw[MAX_LANGUAGE_LEN] = '\0';
  confab_markdown_append_plain (out, raw, -1);
  return g_string_free (out, FALSE);
}

/* Lists and quotes deeper than CONFAB_MARKDOWN_MAX_DEPTH get no node: their
 * content goes into the deepest one. */
static ConfabMarkdownNode *
enter_nested (Builder                *b,
              ConfabMarkdownNodeKind  kind)
{
  ConfabMarkdownNode *node;

  if (b->depth >= CONFAB_MARKDOWN_MAX_DEPTH)
    {
      push_frame (b, FRAME_SKIPPED);
      return NULL;
    }

  node = add_node (b, kind);
  b->depth++;
  push_container (b, node);
  return node;
}

static void
enter_list (Builder  *b,
            gboolean  ordered,
            guint     start,
            gboolean  tight)
{
  ConfabMarkdownNode *list = enter_nested (b, CONFAB_MARKDOWN_NODE_LIST);

  if (list == NULL)
    return;
  list->level = b->lists++;
  list->ordered = ordered;
  list->number = start;
  list->tight = tight;
}

static void
enter_item (Builder             *b,
            MD_BLOCK_LI_DETAIL  *detail)
{
  ConfabMarkdownNode *list;
  ConfabMarkdownNode *item;

  if (top_frame (b) == FRAME_SKIPPED)
    {
      /* Flattened: the item's text starts a paragraph of its own. */
      b->prefix = detail->is_task ? (detail->task_mark == ' ' ? "☐ " : "☑ ") : "• ";
      push_frame (b, FRAME_SKIPPED);
      return;
    }

  list = current_container (b);
  g_assert (list->kind == CONFAB_MARKDOWN_NODE_LIST);
  item = add_node (b, CONFAB_MARKDOWN_NODE_ITEM);
  item->ordered = list->ordered;
  item->level = list->level;
  item->number = list->number + list->children->len - 1;
  item->task = detail->is_task != 0;
  item->checked = detail->is_task && detail->task_mark != ' ';
  push_container (b, item);
}

static void
enter_cell (Builder            *b,
            gboolean            header,
            MD_BLOCK_TD_DETAIL *detail)
{
  ConfabMarkdownNode *cell = add_node (b, CONFAB_MARKDOWN_NODE_CELL);

  cell->row = b->row;
  cell->column = b->column++;
  cell->header = header;
  cell->align = (ConfabMarkdownAlign) detail->align;
  b->text_align = cell->align;
  b->in_cell = TRUE;
  push_container (b, cell);
}

static void
enter_code (Builder              *b,
            MD_BLOCK_CODE_DETAIL *detail)
{
  b->code = add_node (b, CONFAB_MARKDOWN_NODE_CODE);
  b->code->language = decode_language (&detail->lang);
  b->code_text = g_string_new (NULL);
  push_frame (b, FRAME_PLAIN);
}

static void
enter_text_block (Builder                *b,
                  ConfabMarkdownNodeKind  kind,
                  guint                   level)
{
  b->text_kind = kind;
  b->text_level = level;
  push_frame (b, FRAME_PLAIN);
}

static int
on_enter_block (MD_BLOCKTYPE  type,
                void         *detail,
                void         *user_data)
{
  Builder *b = user_data;

  end_para (b);

  switch (type)
    {
    case MD_BLOCK_QUOTE:
      enter_nested (b, CONFAB_MARKDOWN_NODE_QUOTE);
      break;
    case MD_BLOCK_UL:
      enter_list (b, FALSE, 1, ((MD_BLOCK_UL_DETAIL *) detail)->is_tight != 0);
      break;
    case MD_BLOCK_OL:
      enter_list (b, TRUE, ((MD_BLOCK_OL_DETAIL *) detail)->start,
                  ((MD_BLOCK_OL_DETAIL *) detail)->is_tight != 0);
      break;
    case MD_BLOCK_LI:
      enter_item (b, detail);
      break;
    case MD_BLOCK_HR:
      add_node (b, CONFAB_MARKDOWN_NODE_RULE);
      push_frame (b, FRAME_PLAIN);
      break;
    case MD_BLOCK_H:
      enter_text_block (b, CONFAB_MARKDOWN_NODE_HEADING,
                        CLAMP (((MD_BLOCK_H_DETAIL *) detail)->level, 1, 6));
      break;
    case MD_BLOCK_CODE:
      enter_code (b, detail);
      break;
    case MD_BLOCK_TABLE:
      push_container (b, add_node (b, CONFAB_MARKDOWN_NODE_TABLE));
      b->row = 0;
      break;
    case MD_BLOCK_TR:
      b->column = 0;
      push_frame (b, FRAME_PLAIN);
      break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
      enter_cell (b, type == MD_BLOCK_TH, detail);
      break;
    case MD_BLOCK_DOC:
    case MD_BLOCK_HTML:
    case MD_BLOCK_P:
    case MD_BLOCK_THEAD:
    case MD_BLOCK_TBODY:
    default:
      enter_text_block (b, CONFAB_MARKDOWN_NODE_PARAGRAPH, 0);
      break;
    }
  return 0;
}

static void
leave_code (Builder *b)
{
  GString *code = g_steal_pointer (&b->code_text);

  /* The block's last line ends with a newline that is not part of it. */
  if (code->len > 0 && code->str[code->len - 1] == '\n')
    g_string_truncate (code, code->len - 1);
  b->code->text = g_string_free (code, FALSE);
  b->code = NULL;
}

static int
on_leave_block (MD_BLOCKTYPE  type,
                void         *detail,
                void         *user_data)
{
  Builder *b = user_data;
  Frame frame = top_frame (b);

  end_para (b);
  g_array_set_size (b->frames, b->frames->len - 1);

  if (frame == FRAME_CONTAINER)
    {
      ConfabMarkdownNode *node = current_container (b);

      if (node->kind == CONFAB_MARKDOWN_NODE_QUOTE || node->kind == CONFAB_MARKDOWN_NODE_LIST)
        b->depth--;
      if (node->kind == CONFAB_MARKDOWN_NODE_LIST)
        b->lists--;
      g_ptr_array_set_size (b->containers, b->containers->len - 1);
    }

  if (type == MD_BLOCK_CODE && b->code != NULL)
    leave_code (b);
  else if (type == MD_BLOCK_TR)
    b->row++;
  else if (type == MD_BLOCK_LI)
    b->prefix = NULL;

  if (type == MD_BLOCK_TH || type == MD_BLOCK_TD)
    {
      b->text_align = CONFAB_MARKDOWN_ALIGN_DEFAULT;
      b->in_cell = FALSE;
    }
  b->text_kind = CONFAB_MARKDOWN_NODE_PARAGRAPH;
  b->text_level = 0;
  return 0;
}

static char *
link_open_tag (MD_SPAN_A_DETAIL *detail)
{
  g_autofree char *uri = decode_uri (&detail->href);
  g_autofree char *href = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *title = NULL;

  /* Links the view would refuse to open are not made links at all. */
  if (!confab_markdown_uri_is_openable (uri))
    return NULL;

  href = g_markup_escape_text (uri, -1);
  /* GtkLabel shows a link's title as a tooltip with
   * gtk_tooltip_set_markup(), so it is escaped twice: once for this
   * markup, once for the tooltip's. A data: URI can be megabytes; the
   * tooltip shows where the link goes, not all of it. */
  shown = confab_markdown_dup_shortened (uri, MAX_TOOLTIP_CHARS);
  escaped = g_markup_escape_text (shown, -1);
  title = g_markup_escape_text (escaped, -1);
  return g_strdup_printf ("<a href=\"%s\" title=\"%s\">", href, title);
}

static void
enter_image (Builder            *b,
             MD_SPAN_IMG_DETAIL *detail)
{
  if (b->in_image++ > 0)
    return;
  end_para (b);
  b->alt = g_string_new (NULL);
  b->image_uri = decode_uri (&detail->src);
}

static Span
make_span (Builder     *b,
           MD_SPANTYPE  type,
           void        *detail)
{
  switch (type)
    {
    case MD_SPAN_EM:
      return (Span) { g_strdup ("<i>"), "</i>" };
    case MD_SPAN_STRONG:
      return (Span) { g_strdup ("<b>"), "</b>" };
    case MD_SPAN_DEL:
      return (Span) { g_strdup ("<s>"), "</s>" };
    case MD_SPAN_U:
      return (Span) { g_strdup ("<u>"), "</u>" };
    case MD_SPAN_CODE:
      return (Span) { g_strdup ("<span font_family=\"monospace\" bgcolor=\"#808080\""
                                " bgalpha=\"18%\">"), "</span>" };
    case MD_SPAN_A:
      return (Span) { link_open_tag (detail), "</a>" };
    case MD_SPAN_IMG:
    case MD_SPAN_LATEXMATH:
    case MD_SPAN_LATEXMATH_DISPLAY:
    case MD_SPAN_WIKILINK:
    default:
      return (Span) { NULL, NULL };
    }
}

static int
on_enter_span (MD_SPANTYPE  type,
               void        *detail,
               void        *user_data)
{
  Builder *b = user_data;
  Span span = { NULL, NULL, type };

  if (type == MD_SPAN_IMG)
    enter_image (b, detail);
  else if (b->in_image == 0 && b->spans->len < MAX_SPAN_DEPTH)
    span = make_span (b, type, detail);
  span.type = type;

  if (span.open != NULL && b->para != NULL)
    g_string_append (b->markup, span.open);
  g_array_append_val (b->spans, span);
  return 0;
}

static void
leave_image (Builder *b)
{
  ConfabMarkdownNode *image;

  /* An image md4c never entered (see on_leave_span()): the count would
   * wrap and every later text would go to a missing alt text. */
  if (b->in_image == 0 || --b->in_image > 0)
    return;
  image = add_node (b, CONFAB_MARKDOWN_NODE_IMAGE);
  image->text = g_string_free (g_steal_pointer (&b->alt), FALSE);
  image->uri = g_steal_pointer (&b->image_uri);
}

static int
on_leave_span (MD_SPANTYPE  type,
               void        *detail,
               void        *user_data)
{
  Builder *b = user_data;
  Span span;

  /* md4c 0.4.8 can leave a span it never entered (permissive autolinks
   * among links; found by fuzzing: it read before the array, and closed
   * spans out of order, which Pango refuses). Only the innermost open
   * span can be left; the others close with the paragraph. */
  if (b->spans->len == 0 ||
      g_array_index (b->spans, Span, b->spans->len - 1).type != type)
    return 0;
  span = g_array_index (b->spans, Span, b->spans->len - 1);
  g_array_set_size (b->spans, b->spans->len - 1);
  if (type == MD_SPAN_IMG)
    leave_image (b);
  else if (span.open != NULL && b->para != NULL)
    g_string_append (b->markup, span.close);
  g_free (span.open);
  return 0;
}

static void
append_code_text (Builder     *b,
                  MD_TEXTTYPE  type,
                  const char  *text,
                  gsize        len)
{
  if (type == MD_TEXT_NULLCHAR)
    g_string_append_unichar (b->code_text, 0xFFFD);
  else if (g_utf8_validate_len (text, len, NULL))
    g_string_append_len (b->code_text, text, len);
  else
    {
      /* As promised for all text: found by fuzzing, where code kept
       * invalid bytes that a GtkTextBuffer refuses. */
      g_autofree char *valid = g_utf8_make_valid (text, len);
      g_string_append (b->code_text, valid);
    }
}

static void
append_alt_text (Builder     *b,
                 MD_TEXTTYPE  type,
                 const char  *text,
                 gsize        len)
{
  g_autoptr(GString) decoded = g_string_new (NULL);

  if (type == MD_TEXT_BR || type == MD_TEXT_SOFTBR)
    g_string_append_c (decoded, ' ');
  else
    append_attribute_part (decoded, type, text, len);
  confab_markdown_append_plain (b->alt, decoded->str, decoded->len);
}

/* Where to end a piece in @text with @room bytes left: after the last
 * space, or inside a word if there is none; never inside a character. */
static gsize
find_cut (const char *text,
          gsize       len,
          gsize       room)
{
  gsize cut;

  room = CLAMP (room, 1, len);
  for (cut = room; cut > 0; cut--)
    if (text[cut - 1] == ' ')
      return cut;
  /* text[len] is not ours to read (found by fuzzing): a cut at the end
   * is never inside a character. */
  cut = room;
  while (cut > 0 && cut < len && ((guchar) text[cut] & 0xC0) == 0x80)
    cut--;
  return cut > 0 ? cut : MIN ((gsize) (g_utf8_next_char (text) - text), len);
}

static void
append_text (Builder    *b,
             const char *text,
             gsize       len)
{
  while (len > 0)
    {
      gsize cut;

      ensure_para (b);
      if (b->text_len + len <= CONFAB_MARKDOWN_PIECE_LEN)
        cut = len;
      else
        cut = find_cut (text, len, CONFAB_MARKDOWN_PIECE_LEN - MIN (b->text_len, CONFAB_MARKDOWN_PIECE_LEN));

      confab_markdown_append_escaped (b->markup, text, cut);
      b->text_len += cut;
      text += cut;
      len -= cut;
      if (len > 0)
        split_para (b);
    }
}

static void
append_line_break (Builder *b)
{
  /* A long paragraph is best cut at a line break: the cut is invisible. */
  if (b->text_len >= CONFAB_MARKDOWN_PIECE_LEN / 2)
    {
      split_para (b);
      return;
    }
  g_string_append_c (b->markup, '\n');
  b->text_len++;
}

static void
append_inline_text (Builder     *b,
                    MD_TEXTTYPE  type,
                    const char  *text,
                    gsize        len)
{
  g_autoptr(GString) decoded = NULL;

  ensure_para (b);
  switch (type)
    {
    case MD_TEXT_BR:
    /* Models break lines inside a paragraph meaning a new line (lists of
     * steps, poems, addresses), so a soft break is a line break too. */
    case MD_TEXT_SOFTBR:
      append_line_break (b);
      break;
    case MD_TEXT_NULLCHAR:
    case MD_TEXT_ENTITY:
      decoded = g_string_new (NULL);
      append_attribute_part (decoded, type, text, len);
      append_text (b, decoded->str, decoded->len);
      break;
    case MD_TEXT_NORMAL:
    case MD_TEXT_CODE:
    case MD_TEXT_HTML:
    case MD_TEXT_LATEXMATH:
    default:
      append_text (b, text, len);
      break;
    }
}

/* Should md4c ever pass text running past the end of the document (see
 * confab_markdown_parse), it is cut at the end; md4c's own strings (a NUL
 * character's U+FFFD, the "http://" of an autolink) lie elsewhere and are
 * left alone. */
static MD_SIZE
clamp_to_doc (const Builder *b,
              const char    *text,
              MD_SIZE        size)
{
  guintptr start = (guintptr) b->doc;
  guintptr at = (guintptr) text;

  if (at >= start && at <= start + b->doc_len && size > start + b->doc_len - at)
    return (MD_SIZE) (start + b->doc_len - at);
  return size;
}

static int
on_text (MD_TEXTTYPE  type,
         const char  *text,
         MD_SIZE      size,
         void        *user_data)
{
  Builder *b = user_data;

  size = clamp_to_doc (b, text, size);
  if (size == 0)
    return 0;
  if (b->code_text != NULL)
    append_code_text (b, type, text, size);
  else if (b->in_image > 0)
    append_alt_text (b, type, text, size);
  else
    append_inline_text (b, type, text, size);
  return 0;
}

static void
builder_clear (Builder *b)
{
  guint i;

  for (i = 0; i < b->spans->len; i++)
    g_free (g_array_index (b->spans, Span, i).open);
  g_array_unref (b->spans);
  g_array_unref (b->frames);
  g_ptr_array_unref (b->containers);
  if (b->markup != NULL)
    g_string_free (b->markup, TRUE);
  if (b->alt != NULL)
    g_string_free (b->alt, TRUE);
  if (b->code_text != NULL)
    g_string_free (b->code_text, TRUE);
  g_free (b->image_uri);
}

/**
 * confab_markdown_parse:
 * @text: markdown, valid UTF-8 (invalid bytes show as U+FFFD)
 * @len: its length in bytes
 *
 * Returns: (transfer full): a ROOT node holding the blocks of @text
 */
ConfabMarkdownNode *
confab_markdown_parse (const char *text,
                       gsize       len)
{
  const MD_PARSER parser = {
    .abi_version = 0,
    .flags = PARSER_FLAGS,
    .enter_block = on_enter_block,
    .leave_block = on_leave_block,
    .enter_span = on_enter_span,
    .leave_span = on_leave_span,
    .text = on_text,
  };
  Builder b = { 0 };
  g_autofree char *doc = NULL;

  g_return_val_if_fail (text != NULL || len == 0, NULL);
  g_return_val_if_fail (len <= G_MAXUINT, NULL);

  /* md4c 0.4.8 reads the byte after the text it is given when an inline
   * link's destination runs to the end (md_is_inline_link_spec), and that
   * byte decides what it passes back: a newline or ')' there made links
   * whose text ran past the end (found by fuzzing; in the app, streaming
   * parses a prefix of the reply, so the byte was the reply's next one).
   * A copy ending in NUL, neither a newline nor a parenthesis, makes the
   * result depend on @text alone. */
  doc = g_malloc (len + 1);
  if (len > 0)
    memcpy (doc, text, len);
  doc[len] = '\0';

  b.root = node_new (CONFAB_MARKDOWN_NODE_ROOT);
  b.frames = g_array_new (FALSE, FALSE, sizeof (Frame));
  b.containers = g_ptr_array_new ();
  b.spans = g_array_new (FALSE, FALSE, sizeof (Span));
  b.text_kind = CONFAB_MARKDOWN_NODE_PARAGRAPH;
  g_ptr_array_add (b.containers, b.root);
  b.doc = doc;
  b.doc_len = len;

  md_parse (doc, len, &parser, &b);

  end_para (&b);
  builder_clear (&b);
  return b.root;
}

/**
 * confab_markdown_node_same_shape:
 * @a: a node
 * @b: another node
 *
 * Returns: %TRUE if a widget showing @a can show @b by updating its
 *   text or children, %FALSE if it has to be replaced
 */
gboolean
confab_markdown_node_same_shape (const ConfabMarkdownNode *a,
                                 const ConfabMarkdownNode *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  if (a->kind != b->kind)
    return FALSE;

  switch (a->kind)
    {
    case CONFAB_MARKDOWN_NODE_HEADING:
      return a->level == b->level;
    case CONFAB_MARKDOWN_NODE_PARAGRAPH:
      return a->align == b->align && a->header == b->header;
    case CONFAB_MARKDOWN_NODE_CODE:
      return g_strcmp0 (a->language, b->language) == 0;
    case CONFAB_MARKDOWN_NODE_LIST:
      return a->ordered == b->ordered && a->tight == b->tight && a->level == b->level;
    case CONFAB_MARKDOWN_NODE_ITEM:
      return a->ordered == b->ordered && a->number == b->number && a->task == b->task
             && a->checked == b->checked && a->level == b->level;
    case CONFAB_MARKDOWN_NODE_CELL:
      return a->row == b->row && a->column == b->column && a->header == b->header
             && a->align == b->align;
    case CONFAB_MARKDOWN_NODE_IMAGE:
      return g_strcmp0 (a->text, b->text) == 0 && g_strcmp0 (a->uri, b->uri) == 0;
    case CONFAB_MARKDOWN_NODE_ROOT:
    case CONFAB_MARKDOWN_NODE_RULE:
    case CONFAB_MARKDOWN_NODE_QUOTE:
    case CONFAB_MARKDOWN_NODE_TABLE:
    case CONFAB_MARKDOWN_NODE_GROUP:
    default:
      return TRUE;
    }
}
