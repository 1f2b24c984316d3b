/* Every libarchive tar writer shares an object file with
 * archive_write_set_format(), whose table names the xar writer, and that
 * one calls libxml2, which calls ICU: linked statically (as husk links its
 * libraries) that is ~35 MB of code and data for a format husk never
 * writes.  These definitions stand in for the libxml2 calls of the xar
 * writer, so the linker never takes libxml2.a's members; each fails as
 * libxml2 does when out of memory, and the xar writer reports that. */
#include <stddef.h>

void *xmlBufferCreate(void);
void xmlBufferFree(void *b);
void *xmlNewTextWriterMemory(void *b, int compression);
void xmlFreeTextWriter(void *w);
int xmlTextWriterEndDocument(void *w);
int xmlTextWriterEndElement(void *w);
int xmlTextWriterSetIndent(void *w, int indent);
int xmlTextWriterStartDocument(void *w, const char *v, const char *enc, const char *sa);
int xmlTextWriterStartElement(void *w, const char *name);
int xmlTextWriterWriteAttribute(void *w, const char *name, const char *content);
int xmlTextWriterWriteBase64(void *w, const char *data, int start, int len);
int xmlTextWriterWriteFormatAttribute(void *w, const char *name, const char *fmt, ...);
int xmlTextWriterWriteString(void *w, const char *content);

void *xmlBufferCreate(void) { return NULL; }
void xmlBufferFree(void *b) { (void)b; }
void *xmlNewTextWriterMemory(void *b, int compression) { (void)b; (void)compression; return NULL; }
void xmlFreeTextWriter(void *w) { (void)w; }
int xmlTextWriterEndDocument(void *w) { (void)w; return -1; }
int xmlTextWriterEndElement(void *w) { (void)w; return -1; }
int xmlTextWriterSetIndent(void *w, int indent) { (void)w; (void)indent; return -1; }
int xmlTextWriterStartDocument(void *w, const char *v, const char *enc, const char *sa)
{
	(void)w; (void)v; (void)enc; (void)sa;
	return -1;
}
int xmlTextWriterStartElement(void *w, const char *name) { (void)w; (void)name; return -1; }
int xmlTextWriterWriteAttribute(void *w, const char *name, const char *content)
{
	(void)w; (void)name; (void)content;
	return -1;
}
int xmlTextWriterWriteBase64(void *w, const char *data, int start, int len)
{
	(void)w; (void)data; (void)start; (void)len;
	return -1;
}
int xmlTextWriterWriteFormatAttribute(void *w, const char *name, const char *fmt, ...)
{
	(void)w; (void)name; (void)fmt;
	return -1;
}
int xmlTextWriterWriteString(void *w, const char *content) { (void)w; (void)content; return -1; }

int UTF8Toisolat1(unsigned char *out, int *outlen, const unsigned char *in, int *inlen);
int UTF8Toisolat1(unsigned char *out, int *outlen, const unsigned char *in, int *inlen)
{
	(void)out; (void)outlen; (void)in; (void)inlen;
	return -1;
}
