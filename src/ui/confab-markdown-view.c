/* confab-markdown-view.c: a (streaming) markdown reply as native widgets
 *
 * The text is cut into pieces (confab-markdown-splitter.c) that parse
 * independently. Every piece but the last is finished: its widgets are
 * never touched again. The last, open piece is re-parsed when text
 * arrives, at most once per frame, and its new block tree is reconciled
 * with the widgets already showing it: a block of the same shape keeps
 * its widget and only gets its new text (a code block only its new
 * lines), so streaming costs time in proportion to the open piece, not
 * to the reply.
 *
 * A text with more than PLAIN_TEXT_LEN bytes that are not white space
 * (indentation is not laid out) is shown as plain text instead, in a
 * GtkTextView that lays out only the lines on screen: as labels, Pango
 * keeps glyphs and line runs for every character, about 70 bytes each
 * (600 MiB for an 8 MiB reply, docs/PERFORMANCE.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "confab-markdown-blocks.h"
#include "confab-markdown-parser.h"
#include "confab-markdown-splitter.h"
#include "confab-markdown-text.h"
#include "confab-markdown-view.h"

#define TEXT_SCALE_MIN 0.5
#define TEXT_SCALE_MAX 3.0
/* Far beyond any ordinary reply (bench-render's 100 KB is a long one). */
#define PLAIN_TEXT_LEN (256 * 1024)
/* The plain text's own scroller: most of a window's height. */
#define PLAIN_TEXT_HEIGHT 480
#define PLAIN_TEXT_PIECE (64 * 1024)

struct _ConfabMarkdownView
{
  GtkWidget               parent_instance;

  /* borrowed */
  GtkWidget              *anchor;     /* last widget of the finished pieces */

  /* owned */
  /* While @exact, @raw holds only the bytes received that are not in
   * @text yet (the start of a character split between deltas); once
   * bytes had to be repaired, every byte received. A huge reply is then
   * kept once, not twice. */
  GString                *raw;
  gsize                   consumed;   /* bytes of @raw already in @text */
  GString                *text;       /* the bytes received, as valid UTF-8 */
  gboolean                exact;      /* @text is the bytes received, unchanged */
  gsize                   n_visible;  /* bytes of @text other than white space */
  ConfabMarkdownSplitter *splitter;
  GArray                 *splits;
  gsize                   tail_start; /* where the open piece starts in @text */
  gsize                   tail_end;   /* how far of it is rendered */
  ConfabMarkdownNode     *tail;       /* the open piece's blocks */
  ConfabMarkdownBlocks   *blocks;
  GtkTextView            *plain_view; /* set once the text is too long to format */
  gsize                   plain_end;  /* bytes of @text in @plain_view */
  guint                   tick_id;
  char                   *scale_class;
  double                  text_scale;
  gboolean                remote_images;
};

G_DEFINE_FINAL_TYPE (ConfabMarkdownView, confab_markdown_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TEXT,
  PROP_TEXT_SCALE,
  PROP_REMOTE_IMAGES,
  N_PROPS
};

enum {
  OPEN_LINK,
  LOAD_IMAGE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* The length of a UTF-8 sequence starting with @lead, 0 if it cannot
 * start one. */
static guint
sequence_length (guchar lead)
{
  if (lead >= 0xC2 && lead <= 0xDF)
    return 2;
  if (lead >= 0xE0 && lead <= 0xEF)
    return 3;
  if (lead >= 0xF0 && lead <= 0xF4)
    return 4;
  return 0;
}

/* Whether [p, end) is the start of a sequence that more bytes may complete. */
static gboolean
is_incomplete_sequence (const char *p,
                        const char *end)
{
  guint n = sequence_length ((guchar) *p);
  const char *q;

  if (n == 0 || p + n <= end)
    return FALSE;
  for (q = p + 1; q < end; q++)
    if (((guchar) *q & 0xC0) != 0x80)
      return FALSE;
  return TRUE;
}

/* Counts the bytes of @text from @from on that are not white space. */
static void
count_visible (ConfabMarkdownView *self,
               gsize               from)
{
  for (const char *p = self->text->str + from; *p != '\0'; p++)
    if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
      self->n_visible++;
}

/* Moves the bytes received since last time into @text, repairing invalid
 * UTF-8 and keeping back a character split between deltas until the rest
 * of it arrives. The result is the same however the bytes were split. */

static void
consume_raw (ConfabMarkdownView *self)
{
  const char *p = self->raw->str + self->consumed;
  const char *end = self->raw->str + self->raw->len;
  gsize text_len = self->text->len;

  while (p < end)
    {
      const char *valid_end;

      if (g_utf8_validate_len (p, end - p, &valid_end))
        {
          g_string_append_len (self->text, p, end - p);
          p = end;
          break;
        }
      g_string_append_len (self->text, p, valid_end - p);
      p = valid_end;
      if (is_incomplete_sequence (p, end))
        break;
      g_string_append_unichar (self->text, 0xFFFD);
      p++;
    }
  self->consumed = p - self->raw->str;
  count_visible (self, text_len);
}

static void
cancel_update (ConfabMarkdownView *self)
{
  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
  self->tick_id = 0;
}

static void
remove_all_blocks (ConfabMarkdownView *self)
{
  GtkWidget *child;

  confab_markdown_blocks_release_focus (GTK_WIDGET (self));
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  self->plain_view = NULL;
  self->plain_end = 0;
}

/* Empties @string, and gives back its memory if a huge text left it big:
 * a row keeps its view for the next message it shows. */
static void
clear_string (GString **string)
{
  if ((*string)->allocated_len > 64 * 1024)
    {
      g_string_free (*string, TRUE);
      *string = g_string_new (NULL);
    }
  else
    {
      g_string_truncate (*string, 0);
    }
}

static void
reset (ConfabMarkdownView *self)
{
  cancel_update (self);
  g_clear_pointer (&self->tail, confab_markdown_node_free);
  remove_all_blocks (self);
  confab_markdown_blocks_forget_images (self->blocks);
  confab_markdown_splitter_reset (self->splitter);
  clear_string (&self->raw);
  clear_string (&self->text);
  self->n_visible = 0;
  self->consumed = 0;
  self->exact = TRUE;
  self->anchor = NULL;
  self->tail_start = 0;
  self->tail_end = 0;
}

/* Shows text[tail_start, end) with the open piece's widgets. */
static void
render_tail (ConfabMarkdownView *self,
             gsize               end)
{
  g_autoptr(ConfabMarkdownNode) old = g_steal_pointer (&self->tail);

  if (old != NULL && self->tail_end == end)
    {
      self->tail = g_steal_pointer (&old);
      return;
    }

  self->tail = confab_markdown_parse (self->text->str + self->tail_start, end - self->tail_start);
  self->tail_end = end;
  confab_markdown_blocks_reconcile (self->blocks, GTK_WIDGET (self), self->anchor,
                                    old != NULL ? old->children : NULL,
                                    self->tail->children);
}

/* The open piece is finished: its widgets stay as they are, for good. */
static void
finish_tail (ConfabMarkdownView *self,
             gsize               next_start)
{
  if (self->tail != NULL && self->tail->children->len > 0)
    {
      ConfabMarkdownNode *last = g_ptr_array_index (self->tail->children,
                                                    self->tail->children->len - 1);

      self->anchor = last->widget;
    }
  g_clear_pointer (&self->tail, confab_markdown_node_free);
  self->tail_start = next_start;
  self->tail_end = next_start;
}

static GtkWidget *
create_plain_view (void)
{
  GtkWidget *view = gtk_text_view_new ();
  GtkTextView *text_view = GTK_TEXT_VIEW (view);

  gtk_text_view_set_editable (text_view, FALSE);
  gtk_text_view_set_cursor_visible (text_view, FALSE);
  gtk_text_view_set_wrap_mode (text_view, GTK_WRAP_WORD_CHAR);
  /* Text is only ever added by the view: nothing to undo, and an undo
   * stack would keep a copy of it. */
  gtk_text_buffer_set_enable_undo (gtk_text_view_get_buffer (text_view), FALSE);
  gtk_widget_add_css_class (view, "md-plain");
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Reply as plain text"), -1);
  return view;
}

/* Replaces the formatted blocks with the plain text view. */
static void
ensure_plain (ConfabMarkdownView *self)
{
  GtkWidget *note;
  GtkWidget *scroller;

  if (self->plain_view != NULL)
    return;

  g_clear_pointer (&self->tail, confab_markdown_node_free);
  remove_all_blocks (self);
  self->anchor = NULL;

  note = gtk_label_new (_("This reply is too long to format: it is shown as plain text."));
  gtk_label_set_xalign (GTK_LABEL (note), 0);
  gtk_label_set_wrap (GTK_LABEL (note), TRUE);
  gtk_widget_add_css_class (note, "dim-label");
  gtk_widget_add_css_class (note, "caption");
  gtk_widget_set_parent (note, GTK_WIDGET (self));

  /* A scroller of its own: only then does the text view lay out no more
   * than the lines it shows. */
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), PLAIN_TEXT_HEIGHT);
  gtk_widget_add_css_class (scroller, "md-plain-scroller");
  self->plain_view = GTK_TEXT_VIEW (create_plain_view ());
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->plain_view));
  gtk_widget_set_parent (scroller, GTK_WIDGET (self));
  self->plain_end = 0;
}

/* Adds what arrived since the last frame at the end of the plain text,
 * in pieces: a frame may bring megabytes, and their sanitized copy would
 * be one more copy of the reply at once. */
static void
update_plain (ConfabMarkdownView *self)
{
  GtkTextBuffer *buffer;

  ensure_plain (self);
  buffer = gtk_text_view_get_buffer (self->plain_view);
  while (self->plain_end < self->text->len)
    {
      const char *start = self->text->str + self->plain_end;
      const char *stop = self->text->str + self->text->len;
      g_autofree char *shown = NULL;
      GtkTextIter end;

      /* @text is valid UTF-8: cut before a character. */
      if (stop - start > PLAIN_TEXT_PIECE)
        stop = g_utf8_find_prev_char (start, start + PLAIN_TEXT_PIECE + 1);
      shown = confab_markdown_sanitize_code (start, stop - start);
      gtk_text_buffer_get_end_iter (buffer, &end);
      gtk_text_buffer_insert (buffer, &end, shown, -1);
      self->plain_end = stop - self->text->str;
    }
}

static void
update (ConfabMarkdownView *self)
{
  guint i;

  cancel_update (self);

  if (self->plain_view != NULL || self->n_visible > PLAIN_TEXT_LEN)
    {
      update_plain (self);
      return;
    }

  if (self->tail != NULL && self->tail_end == self->text->len)
    return;

  g_array_set_size (self->splits, 0);
  confab_markdown_splitter_scan (self->splitter, self->text->str, self->text->len, self->splits);
  for (i = 0; i < self->splits->len; i++)
    {
      gsize split = g_array_index (self->splits, gsize, i);

      render_tail (self, split);
      finish_tail (self, split);
    }
  render_tail (self, self->text->len);

  confab_markdown_blocks_emit_pending_images (self->blocks);
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *frame_clock,
         gpointer       user_data)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (widget);

  self->tick_id = 0;
  update (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_update (ConfabMarkdownView *self)
{
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_tick, NULL, NULL);
}

/* Valid UTF-8 in [bytes, bytes + len), maybe ending inside a character,
 * goes straight to @text, the unfinished character to @raw. Returns
 * FALSE, changing nothing, if the bytes need repairs. */
static gboolean
consume_exact (ConfabMarkdownView *self,
               const char         *bytes,
               gsize               len)
{
  const char *valid_end;
  gsize text_len = self->text->len;

  if (!g_utf8_validate_len (bytes, len, &valid_end) && !is_incomplete_sequence (valid_end, bytes + len))
    return FALSE;

  g_string_append_len (self->text, bytes, valid_end - bytes);
  g_string_append_len (self->raw, valid_end, bytes + len - valid_end);
  count_visible (self, text_len);
  return TRUE;
}

/* Appends @len bytes; returns whether the view showed nothing before. */
static gboolean
receive (ConfabMarkdownView *self,
         const char         *bytes,
         gsize               len)
{
  gboolean was_empty = self->text->len == 0;

  /* Most deltas start on a character: they need no copy in @raw. */
  if (self->exact && self->raw->len == 0 && consume_exact (self, bytes, len))
    return was_empty;

  g_string_append_len (self->raw, bytes, len);
  if (self->exact)
    {
      g_autoptr(GString) pending = g_steal_pointer (&self->raw);

      self->raw = g_string_new (NULL);
      if (consume_exact (self, pending->str, pending->len))
        return was_empty;
      g_string_append_len (self->raw, pending->str, pending->len);
      /* From now on every byte is kept: what came before is @text. */
      g_string_prepend_len (self->raw, self->text->str, self->text->len);
      self->consumed = self->text->len;
      self->exact = FALSE;
    }
  consume_raw (self);
  return was_empty;
}

/* How many bytes were received, and whether @text (@len bytes) starts
 * with all of them. */
static gsize
n_received (ConfabMarkdownView *self)
{
  return self->exact ? self->text->len + self->raw->len : self->raw->len;
}

static gboolean
extends_received (ConfabMarkdownView *self,
                  const char         *text,
                  gsize               len)
{
  gsize n = n_received (self);

  if (n == 0 || len < n)
    return FALSE;
  if (!self->exact)
    return memcmp (text, self->raw->str, n) == 0;
  return memcmp (text, self->text->str, self->text->len) == 0 &&
         memcmp (text + self->text->len, self->raw->str, self->raw->len) == 0;
}

/* A view that shows nothing yet (a list row being bound, the first
 * delta of a reply) renders at once so it has its real height when first
 * measured; later text waits for the next frame, so a fast stream costs
 * one relayout per frame however many deltas it brings. */
static void
received (ConfabMarkdownView *self,
          gboolean            was_empty)
{
  if (was_empty)
    update (self);
  else
    schedule_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
}

static void
ensure_css (GtkWidget *widget)
{
  GdkDisplay *display = gtk_widget_get_display (widget);
  g_autoptr(GtkCssProvider) provider = NULL;
  g_autofree char *css = NULL;

  if (display == NULL || g_object_get_data (G_OBJECT (display), "confab-markdown-css") != NULL)
    return;

  css = confab_markdown_blocks_dup_css ();
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_data (provider, css, -1);
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_object_set_data_full (G_OBJECT (display), "confab-markdown-css",
                          g_steal_pointer (&provider), g_object_unref);
}

static void
confab_markdown_view_dispose (GObject *object)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (object);

  cancel_update (self);
  g_clear_pointer (&self->tail, confab_markdown_node_free);
  remove_all_blocks (self);
  self->anchor = NULL;

  G_OBJECT_CLASS (confab_markdown_view_parent_class)->dispose (object);
}

static void
confab_markdown_view_finalize (GObject *object)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (object);

  g_string_free (self->raw, TRUE);
  g_string_free (self->text, TRUE);
  g_clear_pointer (&self->splitter, confab_markdown_splitter_free);
  g_clear_pointer (&self->splits, g_array_unref);
  g_clear_pointer (&self->blocks, confab_markdown_blocks_free);
  g_free (self->scale_class);

  G_OBJECT_CLASS (confab_markdown_view_parent_class)->finalize (object);
}

static void
confab_markdown_view_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, confab_markdown_view_get_text (self));
      break;
    case PROP_TEXT_SCALE:
      g_value_set_double (value, self->text_scale);
      break;
    case PROP_REMOTE_IMAGES:
      g_value_set_boolean (value, self->remote_images);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_markdown_view_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  ConfabMarkdownView *self = CONFAB_MARKDOWN_VIEW (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      confab_markdown_view_set_text (self, g_value_get_string (value));
      break;
    case PROP_TEXT_SCALE:
      confab_markdown_view_set_text_scale (self, g_value_get_double (value));
      break;
    case PROP_REMOTE_IMAGES:
      confab_markdown_view_set_remote_images (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
confab_markdown_view_class_init (ConfabMarkdownViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = confab_markdown_view_dispose;
  object_class->finalize = confab_markdown_view_finalize;
  object_class->get_property = confab_markdown_view_get_property;
  object_class->set_property = confab_markdown_view_set_property;

  /**
   * ConfabMarkdownView:text:
   *
   * The markdown shown. Setting a text that extends the current one
   * renders only what changed.
   */
  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * ConfabMarkdownView:text-scale:
   *
   * Size of the text relative to the normal size (Preferences ▸ text
   * size), in steps of 5 %.
   */
  properties[PROP_TEXT_SCALE] =
    g_param_spec_double ("text-scale", NULL, NULL, TEXT_SCALE_MIN, TEXT_SCALE_MAX, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * ConfabMarkdownView:remote-images:
   *
   * Whether the user allowed loading images from the web without asking.
   * The view never fetches anything; with this set, it emits
   * ::load-image for each web image once it appears instead of waiting
   * for a click on Load Image.
   */
  properties[PROP_REMOTE_IMAGES] =
    g_param_spec_boolean ("remote-images", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ConfabMarkdownView::open-link:
   * @uri: the link's target, normalized so nothing in it is invisible
   *
   * The user activated a link. Only http, https and mailto links are
   * reported; others are never opened. The handler should show @uri to
   * the user before opening it.
   */
  signals[OPEN_LINK] = g_signal_new ("open-link", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL,
                                     G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * ConfabMarkdownView::load-image:
   * @uri: an http or https image URI
   *
   * The user asked to load an image (or #ConfabMarkdownView:remote-images
   * is set). The app may fetch it and call confab_markdown_view_set_image().
   */
  signals[LOAD_IMAGE] = g_signal_new ("load-image", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL,
                                      G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "markdownview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
confab_markdown_view_init (ConfabMarkdownView *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  self->raw = g_string_new (NULL);
  self->exact = TRUE;
  self->text = g_string_new (NULL);
  self->splitter = confab_markdown_splitter_new ();
  self->splits = g_array_new (FALSE, FALSE, sizeof (gsize));
  self->blocks = confab_markdown_blocks_new (GTK_WIDGET (self));
  self->text_scale = 1.0;

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 12);
  gtk_widget_add_css_class (GTK_WIDGET (self), "confab-markdown");
  ensure_css (GTK_WIDGET (self));
}

/**
 * confab_markdown_view_new:
 *
 * Returns: (transfer floating): an empty markdown view
 */
GtkWidget *
confab_markdown_view_new (void)
{
  return g_object_new (CONFAB_TYPE_MARKDOWN_VIEW, NULL);
}

/**
 * confab_markdown_view_get_text:
 *
 * Returns: the markdown received, as valid UTF-8 (a character still
 *   incomplete at the end of the last delta is not included yet)
 */
const char *
confab_markdown_view_get_text (ConfabMarkdownView *self)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_VIEW (self), NULL);

  return self->text->str;
}

/**
 * confab_markdown_view_set_text:
 * @text: (nullable): the whole markdown to show
 *
 * If @text extends the text set before (a streaming reply), only the
 * still open last block and what follows it are parsed and laid out
 * again, at the next frame. Otherwise the view starts over.
 */
void
confab_markdown_view_set_text (ConfabMarkdownView *self,
                               const char         *text)
{
  gsize len;

  g_return_if_fail (CONFAB_IS_MARKDOWN_VIEW (self));

  if (text == NULL)
    text = "";
  len = strlen (text);

  if (extends_received (self, text, len))
    {
      gsize n = n_received (self);

      if (len > n)
        received (self, receive (self, text + n, len - n));
      return;
    }

  if (n_received (self) == 0 && len == 0)
    return;
  reset (self);
  received (self, receive (self, text, len));
}

/**
 * confab_markdown_view_append:
 * @delta: more markdown; it may end inside a UTF-8 character
 *
 * Adds @delta to the text, rendered at the next frame.
 */
void
confab_markdown_view_append (ConfabMarkdownView *self,
                             const char         *delta)
{
  g_return_if_fail (CONFAB_IS_MARKDOWN_VIEW (self));
  g_return_if_fail (delta != NULL);

  if (delta[0] == '\0')
    return;
  received (self, receive (self, delta, strlen (delta)));
}

/**
 * confab_markdown_view_flush:
 *
 * Renders now what would be rendered at the next frame.
 */
void
confab_markdown_view_flush (ConfabMarkdownView *self)
{
  g_return_if_fail (CONFAB_IS_MARKDOWN_VIEW (self));

  update (self);
}

double
confab_markdown_view_get_text_scale (ConfabMarkdownView *self)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_VIEW (self), 1.0);

  return self->text_scale;
}

/**
 * confab_markdown_view_set_text_scale:
 * @text_scale: the text size relative to normal, 0.5–3
 *
 * Done with a CSS class (md-scale-125 for 1.25) that the view's style
 * sheet defines for every step, so headings and code scale along.
 */
void
confab_markdown_view_set_text_scale (ConfabMarkdownView *self,
                                     double              text_scale)
{
  int percent;

  g_return_if_fail (CONFAB_IS_MARKDOWN_VIEW (self));

  text_scale = CLAMP (round (text_scale * 20) / 20, TEXT_SCALE_MIN, TEXT_SCALE_MAX);
  if (text_scale == self->text_scale)
    return;

  self->text_scale = text_scale;
  if (self->scale_class != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self), self->scale_class);
  g_clear_pointer (&self->scale_class, g_free);
  percent = (int) round (text_scale * 100);
  if (percent != 100)
    {
      self->scale_class = g_strdup_printf ("md-scale-%d", percent);
      gtk_widget_add_css_class (GTK_WIDGET (self), self->scale_class);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT_SCALE]);
}

gboolean
confab_markdown_view_get_remote_images (ConfabMarkdownView *self)
{
  g_return_val_if_fail (CONFAB_IS_MARKDOWN_VIEW (self), FALSE);

  return self->remote_images;
}

void
confab_markdown_view_set_remote_images (ConfabMarkdownView *self,
                                        gboolean            remote_images)
{
  g_return_if_fail (CONFAB_IS_MARKDOWN_VIEW (self));

  remote_images = !!remote_images;
  if (remote_images == self->remote_images)
    return;

  self->remote_images = remote_images;
  confab_markdown_blocks_set_remote_images (self->blocks, remote_images);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMOTE_IMAGES]);
}

/**
 * confab_markdown_view_set_image:
 * @uri: an image URI as reported by ::load-image
 * @paintable: (nullable): the loaded image, or %NULL for the placeholder
 *
 * Shows @paintable in place of every placeholder for @uri.
 */
void
confab_markdown_view_set_image (ConfabMarkdownView *self,
                                const char         *uri,
                                GdkPaintable       *paintable)
{
  g_return_if_fail (CONFAB_IS_MARKDOWN_VIEW (self));
  g_return_if_fail (uri != NULL);
  g_return_if_fail (paintable == NULL || GDK_IS_PAINTABLE (paintable));

  confab_markdown_blocks_set_image (GTK_WIDGET (self), uri, paintable);
}
