/* confab-sse-decoder.c: incremental, WHATWG-conformant text/event-stream decoder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-sse-decoder.h"
#include "confab-util.h"

#include <string.h>

/* Buffers that grew past this while holding one huge line or event are
 * given back after use, so one 10 MB event does not pin 10 MB for the rest
 * of the stream. */
#define BUFFER_KEEP_SIZE (64 * 1024)

/* bom_state holds how many bytes of a possible leading BOM were held back;
 * BOM_DECIDED once the stream start was seen (stripped or not). */
#define BOM_DECIDED 3

static const guchar utf8_bom[] = { 0xEF, 0xBB, 0xBF };

struct _ConfabSseDecoder
{
  GObject             parent_instance;

  ConfabSseEventFunc  func;
  gpointer            user_data;
  GDestroyNotify      destroy;

  /* owned */
  GString            *line;        /* unterminated line carried between feeds */
  GString            *data;        /* data buffer, every value followed by LF */
  GString            *type;        /* event type buffer */
  GString            *id_buffer;   /* last event ID buffer, valid UTF-8 */
  char               *last_event_id;

  gint64              retry;
  guint               bom_state;
  guint               skip_lf : 1;
  guint               in_callback : 1;
};

G_DEFINE_FINAL_TYPE (ConfabSseDecoder, confab_sse_decoder, G_TYPE_OBJECT)

/* Length of the maximal subpart of the ill-formed sequence at @p, as the
 * WHATWG UTF-8 decoder counts it: each maximal subpart becomes one U+FFFD. */
static gsize
utf8_bad_sequence_len (const guchar *p,
                       const guchar *end)
{
  guchar lo = 0x80;
  guchar hi = 0xBF;
  gsize need;
  gsize i;

  if (p[0] >= 0xC2 && p[0] <= 0xDF)
    need = 1;
  else if (p[0] >= 0xE0 && p[0] <= 0xEF)
    {
      need = 2;
      if (p[0] == 0xE0)
        lo = 0xA0;
      else if (p[0] == 0xED)
        hi = 0x9F;
    }
  else if (p[0] >= 0xF0 && p[0] <= 0xF4)
    {
      need = 3;
      if (p[0] == 0xF0)
        lo = 0x90;
      else if (p[0] == 0xF4)
        hi = 0x8F;
    }
  else
    return 1;

  for (i = 1; i <= need && p + i < end; i++)
    {
      if (p[i] < lo || p[i] > hi)
        break;
      lo = 0x80;
      hi = 0xBF;
    }

  return i;
}

/* Returns NULL when @str is already valid UTF-8 (and has no NUL, unless
 * @keep_nul), otherwise a copy with every ill-formed sequence replaced by
 * U+FFFD. Unlike g_utf8_make_valid(), NUL bytes can be kept. */
static GString *
utf8_repair (const char *str,
             gsize       len,
             gboolean    keep_nul)
{
  const char *p = str;
  const char *end = str + len;
  GString *out = NULL;

  while (p < end)
    {
      const char *bad;

      if (g_utf8_validate (p, end - p, &bad))
        break;

      if (out == NULL)
        out = g_string_sized_new (len + 3);
      g_string_append_len (out, p, bad - p);

      if (*bad == '\0' && keep_nul)
        {
          g_string_append_c (out, '\0');
          p = bad + 1;
        }
      else
        {
          g_string_append (out, "\357\277\275");
          p = bad + utf8_bad_sequence_len ((const guchar *) bad, (const guchar *) end);
        }
    }

  if (out != NULL)
    g_string_append_len (out, p, end - p);

  return out;
}

static void
set_last_event_id (ConfabSseDecoder *self)
{
  if (!g_str_equal (self->last_event_id, self->id_buffer->str))
    {
      g_free (self->last_event_id);
      self->last_event_id = g_strndup (self->id_buffer->str, self->id_buffer->len);
    }
}

static void
dispatch (ConfabSseDecoder *self)
{
  g_autoptr(GString) fixed_data = NULL;
  g_autoptr(GString) fixed_type = NULL;
  ConfabSseEvent event;

  set_last_event_id (self);

  if (self->data->len == 0)
    {
      g_string_truncate (self->type, 0);
      return;
    }

  /* Every data field appended a LF; drop the last one. */
  g_string_truncate (self->data, self->data->len - 1);

  if (!confab_utf8_validate (self->data->str, self->data->len, TRUE))
    fixed_data = utf8_repair (self->data->str, self->data->len, TRUE);
  event.data = fixed_data ? fixed_data->str : self->data->str;
  event.data_len = fixed_data ? fixed_data->len : self->data->len;

  if (self->type->len > 0)
    {
      /* A C string cannot carry a NUL, and a type cut short at one could
       * pass for another type. */
      fixed_type = utf8_repair (self->type->str, self->type->len, FALSE);
      event.type = fixed_type ? fixed_type->str : self->type->str;
    }
  else
    {
      event.type = "message";
    }

  event.last_event_id = self->last_event_id;

  self->in_callback = TRUE;
  self->func (&event, self->user_data);
  self->in_callback = FALSE;

  confab_string_reset (&self->data, BUFFER_KEEP_SIZE);
  g_string_truncate (self->type, 0);
}

/* Digits only, base 10; values past G_MAXINT64 saturate. */
static gboolean
parse_retry (const char *value,
             gsize       len,
             gint64     *retry)
{
  gint64 n = 0;

  if (len == 0)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    {
      guint d;

      if (!g_ascii_isdigit (value[i]))
        return FALSE;

      d = value[i] - '0';
      if (n > (G_MAXINT64 - d) / 10)
        n = G_MAXINT64;
      else
        n = n * 10 + d;
    }

  *retry = n;

  return TRUE;
}

#define FIELD_IS(name, name_len, literal) \
  ((name_len) == sizeof (literal) - 1 && memcmp ((name), (literal), (name_len)) == 0)

static void
process_field (ConfabSseDecoder *self,
               const char       *name,
               gsize             name_len,
               const char       *value,
               gsize             value_len)
{
  if (FIELD_IS (name, name_len, "data"))
    {
      g_string_append_len (self->data, value, value_len);
      g_string_append_c (self->data, '\n');
    }
  else if (FIELD_IS (name, name_len, "event"))
    {
      g_string_truncate (self->type, 0);
      g_string_append_len (self->type, value, value_len);
    }
  else if (FIELD_IS (name, name_len, "id"))
    {
      g_autoptr(GString) fixed = NULL;

      if (memchr (value, '\0', value_len) != NULL)
        return;

      fixed = utf8_repair (value, value_len, FALSE);
      g_string_truncate (self->id_buffer, 0);
      if (fixed != NULL)
        g_string_append_len (self->id_buffer, fixed->str, fixed->len);
      else
        g_string_append_len (self->id_buffer, value, value_len);
    }
  else if (FIELD_IS (name, name_len, "retry"))
    {
      parse_retry (value, value_len, &self->retry);
    }
}

static void
process_line (ConfabSseDecoder *self,
              const char       *line,
              gsize             len)
{
  const char *colon;

  if (len == 0)
    {
      dispatch (self);
      return;
    }

  if (line[0] == ':')
    return;

  colon = memchr (line, ':', len);
  if (colon != NULL)
    {
      const char *value = colon + 1;
      gsize value_len = len - (value - line);

      if (value_len > 0 && value[0] == ' ')
        {
          value++;
          value_len--;
        }

      process_field (self, line, colon - line, value, value_len);
    }
  else
    {
      process_field (self, line, len, "", 0);
    }
}

/* @piece ends a line that may have started in an earlier feed. */
static void
finish_line (ConfabSseDecoder *self,
             const char       *piece,
             gsize             len)
{
  if (self->line->len == 0)
    {
      process_line (self, piece, len);
      return;
    }

  g_string_append_len (self->line, piece, len);
  process_line (self, self->line->str, self->line->len);
  confab_string_reset (&self->line, BUFFER_KEEP_SIZE);
}

static inline const char *
find_byte (const char *p,
           const char *end,
           char        c)
{
  const char *found = memchr (p, c, end - p);

  return found ? found : end;
}

static void
process_bytes (ConfabSseDecoder *self,
               const char       *p,
               const char       *end)
{
  /* The next CR and LF are remembered, so a chunk of many LF-terminated
   * lines and no CR is not rescanned for a CR once per line. */
  const char *cr = find_byte (p, end, '\r');
  const char *lf = find_byte (p, end, '\n');

  while (p < end)
    {
      const char *eol;

      if (self->skip_lf)
        {
          self->skip_lf = FALSE;
          if (*p == '\n')
            {
              p++;
              continue;
            }
        }

      if (cr < p)
        cr = find_byte (p, end, '\r');
      if (lf < p)
        lf = find_byte (p, end, '\n');

      eol = MIN (cr, lf);
      if (eol == end)
        {
          g_string_append_len (self->line, p, end - p);
          break;
        }

      /* A CR ends the line at once, whatever follows; an LF right after it,
       * in this feed or the next, is part of the same line end. */
      self->skip_lf = (*eol == '\r');
      finish_line (self, p, eol - p);
      p = eol + 1;
    }
}

static void
confab_sse_decoder_finalize (GObject *object)
{
  ConfabSseDecoder *self = (ConfabSseDecoder *) object;

  g_string_free (self->line, TRUE);
  g_string_free (self->data, TRUE);
  g_string_free (self->type, TRUE);
  g_string_free (self->id_buffer, TRUE);
  g_clear_pointer (&self->last_event_id, g_free);

  if (self->destroy != NULL)
    g_clear_pointer (&self->user_data, self->destroy);

  G_OBJECT_CLASS (confab_sse_decoder_parent_class)->finalize (object);
}

static void
confab_sse_decoder_class_init (ConfabSseDecoderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = confab_sse_decoder_finalize;
}

static void
confab_sse_decoder_init (ConfabSseDecoder *self)
{
  self->line = g_string_new (NULL);
  self->data = g_string_new (NULL);
  self->type = g_string_new (NULL);
  self->id_buffer = g_string_new (NULL);
  self->last_event_id = g_strdup ("");
  self->retry = -1;
}

/**
 * confab_sse_decoder_new:
 * @func: called once per dispatched event
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data when the decoder is finalized
 *
 * Creates a decoder for one text/event-stream body. Feed it the bytes as
 * they arrive, in any chunking, then call confab_sse_decoder_finish().
 *
 * Events are dispatched as the spec says: a blank line with an empty data
 * buffer dispatches nothing (a data-less `event: ping` block is not
 * surfaced, unlike the OpenAI SDKs do). A line ending in CR is processed as
 * soon as the CR arrives, so a CR at the end of a feed never holds an event
 * back; an LF at the start of the next feed is then skipped.
 *
 * @func must not call confab_sse_decoder_feed() or
 * confab_sse_decoder_finish() on the same decoder; it may drop the last
 * reference to it.
 *
 * Returns: (transfer full): a new #ConfabSseDecoder
 */
ConfabSseDecoder *
confab_sse_decoder_new (ConfabSseEventFunc func,
                        gpointer           user_data,
                        GDestroyNotify     destroy)
{
  ConfabSseDecoder *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = g_object_new (CONFAB_TYPE_SSE_DECODER, NULL);
  self->func = func;
  self->user_data = user_data;
  self->destroy = destroy;

  return self;
}

/**
 * confab_sse_decoder_feed:
 * @self: a #ConfabSseDecoder
 * @data: (array length=len): the next bytes of the stream
 * @len: length of @data
 *
 * Decodes @data and dispatches every event it completes. Only the bytes of
 * an unterminated last line are copied and kept for the next feed.
 */
void
confab_sse_decoder_feed (ConfabSseDecoder *self,
                         const char       *data,
                         gsize             len)
{
  const char *p = data;
  const char *end = data + len;

  g_return_if_fail (CONFAB_IS_SSE_DECODER (self));
  g_return_if_fail (data != NULL || len == 0);
  g_return_if_fail (!self->in_callback);

  if (len == 0)
    return;

  g_object_ref (self);

  /* Exactly one leading BOM is stripped, even when its bytes come in
   * separate feeds; a partial match turns back into ordinary bytes. */
  while (self->bom_state != BOM_DECIDED && p < end)
    {
      if ((guchar) *p == utf8_bom[self->bom_state])
        {
          self->bom_state++;
          p++;
        }
      else
        {
          process_bytes (self, (const char *) utf8_bom,
                         (const char *) utf8_bom + self->bom_state);
          self->bom_state = BOM_DECIDED;
        }
    }

  process_bytes (self, p, end);

  g_object_unref (self);
}

/**
 * confab_sse_decoder_finish:
 * @self: a #ConfabSseDecoder
 *
 * Ends the stream: an event without its terminating blank line is
 * discarded, together with its `id`, as the spec requires. The decoder is
 * then ready for a new stream (a reconnection); the retry value and the last
 * event ID are kept.
 */
void
confab_sse_decoder_finish (ConfabSseDecoder *self)
{
  g_return_if_fail (CONFAB_IS_SSE_DECODER (self));
  g_return_if_fail (!self->in_callback);

  confab_string_reset (&self->line, BUFFER_KEEP_SIZE);
  confab_string_reset (&self->data, BUFFER_KEEP_SIZE);
  g_string_truncate (self->type, 0);
  g_string_assign (self->id_buffer, self->last_event_id);
  self->skip_lf = FALSE;
  self->bom_state = 0;
}

/**
 * confab_sse_decoder_get_retry:
 * @self: a #ConfabSseDecoder
 *
 * Returns: the reconnection time in milliseconds the stream asked for with
 *   a `retry` field, or -1 when it sent none
 */
gint64
confab_sse_decoder_get_retry (ConfabSseDecoder *self)
{
  g_return_val_if_fail (CONFAB_IS_SSE_DECODER (self), -1);

  return self->retry;
}

/**
 * confab_sse_decoder_get_last_event_id:
 * @self: a #ConfabSseDecoder
 *
 * Gets the last event ID string, as set at the last dispatch; this is the
 * value to send as `Last-Event-ID` when reconnecting.
 *
 * Returns: (transfer none): the last event ID, "" when none
 */
const char *
confab_sse_decoder_get_last_event_id (ConfabSseDecoder *self)
{
  g_return_val_if_fail (CONFAB_IS_SSE_DECODER (self), NULL);

  return self->last_event_id;
}

/**
 * confab_sse_decoder_get_pending_size:
 * @self: a #ConfabSseDecoder
 *
 * Gets how many bytes of the stream are buffered and not dispatched yet
 * (the unterminated line plus the data buffer), so that a caller can
 * refuse a stream that never ends its events.
 *
 * Returns: the buffered size in bytes
 */
gsize
confab_sse_decoder_get_pending_size (ConfabSseDecoder *self)
{
  gsize held_bom;

  g_return_val_if_fail (CONFAB_IS_SSE_DECODER (self), 0);

  held_bom = self->bom_state != BOM_DECIDED ? self->bom_state : 0;

  return self->line->len + self->data->len + held_bom;
}
