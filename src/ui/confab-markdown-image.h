/* confab-markdown-image.h: the placeholder shown for an image in a reply
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CONFAB_TYPE_MARKDOWN_IMAGE (confab_markdown_image_get_type ())

G_DECLARE_FINAL_TYPE (ConfabMarkdownImage, confab_markdown_image, CONFAB, MARKDOWN_IMAGE, GtkWidget)

GtkWidget  *confab_markdown_image_new          (const char          *uri,
                                                const char          *alt);
const char *confab_markdown_image_get_uri      (ConfabMarkdownImage *self);
const char *confab_markdown_image_get_alt      (ConfabMarkdownImage *self);
void        confab_markdown_image_set_paintable (ConfabMarkdownImage *self,
                                                 GdkPaintable        *paintable);

G_END_DECLS
