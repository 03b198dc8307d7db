/* confab-ndjson-decoder.c: incremental newline-delimited JSON line splitter
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "confab-ndjson-decoder.h"
#include "confab-util.h"

#include <string.h>

/* A line buffer that grew past this for one huge line is given back after
 * use, so it does not stay pinned for the rest of the stream. */
#define BUFFER_KEEP_SIZE (64 * 1024)

struct _ConfabNdjsonDecoder
{
  GObject               parent_instance;

  ConfabNdjsonLineFunc  func;
  gpointer              user_data;
  GDestroyNotify        destroy;

  /* owned */
  GString              *line;   /* the current line, up to its LF */

  guint                 in_callback : 1;
};

G_DEFINE_FINAL_TYPE (ConfabNdjsonDecoder, confab_ndjson_decoder, G_TYPE_OBJECT)

/* JSON's own blanks, plus the CR of a CRLF line end. */
static inline gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trims the line in self->line and hands it over, if anything is left. */
static void
deliver_line (ConfabNdjsonDecoder *self)
{
  g_autofree char *fixed = NULL;
  char *start = self->line->str;
  char *end = self->line->str + self->line->len;

  while (start < end && is_blank (*start))
    start++;
  while (end > start && is_blank (end[-1]))
    end--;

  if (start == end)
    return;

  *end = '\0';

  /* A NUL is not valid JSON either; g_utf8_make_valid() turns it into
   * U+FFFD, so the line a parser sees is exactly @len bytes long. */
  if (!confab_utf8_validate (start, end - start, FALSE))
    {
      fixed = g_utf8_make_valid (start, end - start);
      start = fixed;
      end = fixed + strlen (fixed);
    }

  self->in_callback = TRUE;
  self->func (start, end - start, self->user_data);
  self->in_callback = FALSE;
}

static void
confab_ndjson_decoder_finalize (GObject *object)
{
  ConfabNdjsonDecoder *self = (ConfabNdjsonDecoder *) object;

  g_string_free (self->line, TRUE);

  if (self->destroy != NULL)
    g_clear_pointer (&self->user_data, self->destroy);

  G_OBJECT_CLASS (confab_ndjson_decoder_parent_class)->finalize (object);
}

static void
confab_ndjson_decoder_class_init (ConfabNdjsonDecoderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = confab_ndjson_decoder_finalize;
}

static void
confab_ndjson_decoder_init (ConfabNdjsonDecoder *self)
{
  self->line = g_string_new (NULL);
}

/**
 * confab_ndjson_decoder_new:
 * @func: called once per non-blank line
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data when the decoder is finalized
 *
 * Creates a splitter for a newline-delimited JSON body (Ollama). Lines end
 * at LF; a CR before it and blanks around the line are dropped, and lines
 * with nothing else are skipped. Invalid UTF-8 is replaced with U+FFFD.
 *
 * @func must not call confab_ndjson_decoder_feed() or
 * confab_ndjson_decoder_finish() on the same decoder; it may drop the last
 * reference to it.
 *
 * Returns: (transfer full): a new #ConfabNdjsonDecoder
 */
ConfabNdjsonDecoder *
confab_ndjson_decoder_new (ConfabNdjsonLineFunc func,
                           gpointer             user_data,
                           GDestroyNotify       destroy)
{
  ConfabNdjsonDecoder *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = g_object_new (CONFAB_TYPE_NDJSON_DECODER, NULL);
  self->func = func;
  self->user_data = user_data;
  self->destroy = destroy;

  return self;
}

/**
 * confab_ndjson_decoder_feed:
 * @self: a #ConfabNdjsonDecoder
 * @data: (array length=len): the next bytes of the body
 * @len: length of @data
 *
 * Hands every line that @data completes to the callback. Only the new bytes
 * are scanned, so a long line arriving in many pieces costs linear time.
 */
void
confab_ndjson_decoder_feed (ConfabNdjsonDecoder *self,
                            const char          *data,
                            gsize                len)
{
  const char *p = data;
  const char *end = data + len;

  g_return_if_fail (CONFAB_IS_NDJSON_DECODER (self));
  g_return_if_fail (data != NULL || len == 0);
  g_return_if_fail (!self->in_callback);

  if (len == 0)
    return;

  g_object_ref (self);

  while (p < end)
    {
      const char *lf = memchr (p, '\n', end - p);

      if (lf == NULL)
        {
          g_string_append_len (self->line, p, end - p);
          break;
        }

      /* Copied even when whole, since the callback wants a NUL-terminated
       * line; the buffer's allocation is reused. */
      g_string_append_len (self->line, p, lf - p);
      deliver_line (self);
      confab_string_reset (&self->line, BUFFER_KEEP_SIZE);
      p = lf + 1;
    }

  g_object_unref (self);
}

/**
 * confab_ndjson_decoder_finish:
 * @self: a #ConfabNdjsonDecoder
 *
 * Ends the body: a last line without its LF is delivered, unless blank.
 * The decoder is then ready for a new body.
 */
void
confab_ndjson_decoder_finish (ConfabNdjsonDecoder *self)
{
  g_return_if_fail (CONFAB_IS_NDJSON_DECODER (self));
  g_return_if_fail (!self->in_callback);

  g_object_ref (self);
  deliver_line (self);
  confab_string_reset (&self->line, BUFFER_KEEP_SIZE);
  g_object_unref (self);
}
