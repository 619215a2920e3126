/*
 * lazy.h - libxml2 and libzip, loaded when an export or an import first
 * needs them rather than when a program that links libgrille starts: both
 * bring their own dependencies (ICU, the C++ runtime, libcrypto), whose
 * loading cost every command 1.7 ms, a twentieth of a report.  The
 * functions refi.c calls go through a table filled by dlsym; refi.c
 * includes this header with GRILLE_LAZY_REDIRECT defined, which turns its
 * calls into calls through the table.  Never installed.
 */
#ifndef GRILLE_LAZY_H
#define GRILLE_LAZY_H

#include "common.h"

#include <libxml/hash.h>
#include <libxml/parser.h>
#include <libxml/SAX2.h>
#include <libxml/xmlwriter.h>
#include <zip.h>

/* xmlFree is a variable, or a macro over __xmlFree() when libxml2 keeps
 * its allocator per thread. */
#ifdef xmlFree
#define GRILLE_LAZY_FREE_IS_MACRO 1
#define GRILLE_LAZY_FREE(X) X(__xmlFree)
#else
#define GRILLE_LAZY_FREE(X) X(xmlFree) /* the table holds its address */
#endif

/* The functions used, by library (the error handlers are macros over the
 * __ functions). */
#define GRILLE_LAZY_XML(X) \
    X(xmlBufferContent) \
    X(xmlBufferCreate) \
    X(xmlBufferFree) \
    X(xmlBufferLength) \
    X(xmlCreatePushParserCtxt) \
    X(xmlCtxtResetPush) \
    X(xmlCtxtUseOptions) \
    X(xmlDocGetRootElement) \
    X(xmlFreeDoc) \
    X(xmlFreeParserCtxt) \
    X(xmlFreeTextWriter) \
    X(xmlGetLastError) \
    X(xmlGetLineNo) \
    X(xmlGetProp) \
    X(xmlHashSize) \
    X(xmlNewTextWriter) \
    X(xmlNewTextWriterMemory) \
    X(xmlNodeGetContent) \
    X(xmlOutputBufferClose) \
    X(xmlOutputBufferCreateFd) \
    X(xmlParseChunk) \
    X(xmlResetLastError) \
    X(xmlSAX2GetLineNumber) \
    X(xmlSetGenericErrorFunc) \
    X(xmlSetStructuredErrorFunc) \
    X(xmlStrdup) \
    X(xmlTextWriterEndDocument) \
    X(xmlTextWriterEndElement) \
    X(xmlTextWriterFlush) \
    X(xmlTextWriterSetIndent) \
    X(xmlTextWriterStartDocument) \
    X(xmlTextWriterStartElement) \
    X(xmlTextWriterWriteAttribute) \
    X(xmlTextWriterWriteElement) \
    X(xmlTextWriterWriteRaw) \
    X(xmlTextWriterWriteRawLen) \
    X(__xmlGenericError) \
    X(__xmlGenericErrorContext) \
    X(__xmlStructuredError) \
    X(__xmlStructuredErrorContext)

#define GRILLE_LAZY_ZIP(X) \
    X(zip_close) \
    X(zip_discard) \
    X(zip_error_code_zip) \
    X(zip_error_fini) \
    X(zip_error_init) \
    X(zip_error_init_with_code) \
    X(zip_error_set) \
    X(zip_error_strerror) \
    X(zip_error_to_data) \
    X(zip_fclose) \
    X(zip_file_add) \
    X(zip_file_get_error) \
    X(zip_file_set_mtime) \
    X(zip_file_strerror) \
    X(zip_fopen_index) \
    X(zip_get_error) \
    X(zip_fread) \
    X(zip_get_name) \
    X(zip_get_num_entries) \
    X(zip_name_locate) \
    X(zip_open) \
    X(zip_register_cancel_callback_with_state) \
    X(zip_set_file_compression) \
    X(zip_source_free) \
    X(zip_source_function) \
    X(zip_source_make_command_bitmap) \
    X(zip_stat_index) \
    X(zip_stat_init) \
    X(zip_strerror)

typedef struct grille_lazy {
#define GRILLE_LAZY_MEMBER(f) __typeof__(f) *f;
    GRILLE_LAZY_FREE(GRILLE_LAZY_MEMBER)
    GRILLE_LAZY_XML(GRILLE_LAZY_MEMBER)
    GRILLE_LAZY_ZIP(GRILLE_LAZY_MEMBER)
#undef GRILLE_LAZY_MEMBER
} grille_lazy;

GRILLE_HIDDEN extern grille_lazy grille__lz;

/* Loads both libraries once per process; 0, or an error that names the
 * library that could not be loaded and why. */
GRILLE_HIDDEN int grille__lazy_load(grille_error *err);

#ifdef GRILLE_LAZY_REDIRECT
#ifdef GRILLE_LAZY_FREE_IS_MACRO
#define __xmlFree grille__lz.__xmlFree
#else
#define xmlFree (*grille__lz.xmlFree)
#endif
#define xmlBufferContent grille__lz.xmlBufferContent
#define xmlBufferCreate grille__lz.xmlBufferCreate
#define xmlBufferFree grille__lz.xmlBufferFree
#define xmlBufferLength grille__lz.xmlBufferLength
#define xmlCreatePushParserCtxt grille__lz.xmlCreatePushParserCtxt
#define xmlCtxtResetPush grille__lz.xmlCtxtResetPush
#define xmlCtxtUseOptions grille__lz.xmlCtxtUseOptions
#define xmlDocGetRootElement grille__lz.xmlDocGetRootElement
#define xmlFreeDoc grille__lz.xmlFreeDoc
#define xmlFreeParserCtxt grille__lz.xmlFreeParserCtxt
#define xmlFreeTextWriter grille__lz.xmlFreeTextWriter
#define xmlGetLastError grille__lz.xmlGetLastError
#define xmlGetLineNo grille__lz.xmlGetLineNo
#define xmlGetProp grille__lz.xmlGetProp
#define xmlHashSize grille__lz.xmlHashSize
#define xmlNewTextWriter grille__lz.xmlNewTextWriter
#define xmlNewTextWriterMemory grille__lz.xmlNewTextWriterMemory
#define xmlNodeGetContent grille__lz.xmlNodeGetContent
#define xmlOutputBufferClose grille__lz.xmlOutputBufferClose
#define xmlOutputBufferCreateFd grille__lz.xmlOutputBufferCreateFd
#define xmlParseChunk grille__lz.xmlParseChunk
#define xmlResetLastError grille__lz.xmlResetLastError
#define xmlSAX2GetLineNumber grille__lz.xmlSAX2GetLineNumber
#define xmlSetGenericErrorFunc grille__lz.xmlSetGenericErrorFunc
#define xmlSetStructuredErrorFunc grille__lz.xmlSetStructuredErrorFunc
#define xmlStrdup grille__lz.xmlStrdup
#define xmlTextWriterEndDocument grille__lz.xmlTextWriterEndDocument
#define xmlTextWriterEndElement grille__lz.xmlTextWriterEndElement
#define xmlTextWriterFlush grille__lz.xmlTextWriterFlush
#define xmlTextWriterSetIndent grille__lz.xmlTextWriterSetIndent
#define xmlTextWriterStartDocument grille__lz.xmlTextWriterStartDocument
#define xmlTextWriterStartElement grille__lz.xmlTextWriterStartElement
#define xmlTextWriterWriteAttribute grille__lz.xmlTextWriterWriteAttribute
#define xmlTextWriterWriteElement grille__lz.xmlTextWriterWriteElement
#define xmlTextWriterWriteRaw grille__lz.xmlTextWriterWriteRaw
#define xmlTextWriterWriteRawLen grille__lz.xmlTextWriterWriteRawLen
#define __xmlGenericError grille__lz.__xmlGenericError
#define __xmlGenericErrorContext grille__lz.__xmlGenericErrorContext
#define __xmlStructuredError grille__lz.__xmlStructuredError
#define __xmlStructuredErrorContext grille__lz.__xmlStructuredErrorContext
#define zip_close grille__lz.zip_close
#define zip_discard grille__lz.zip_discard
#define zip_error_code_zip grille__lz.zip_error_code_zip
#define zip_error_fini grille__lz.zip_error_fini
#define zip_error_init grille__lz.zip_error_init
#define zip_error_init_with_code grille__lz.zip_error_init_with_code
#define zip_error_set grille__lz.zip_error_set
#define zip_error_strerror grille__lz.zip_error_strerror
#define zip_error_to_data grille__lz.zip_error_to_data
#define zip_fclose grille__lz.zip_fclose
#define zip_file_add grille__lz.zip_file_add
#define zip_file_get_error grille__lz.zip_file_get_error
#define zip_file_set_mtime grille__lz.zip_file_set_mtime
#define zip_file_strerror grille__lz.zip_file_strerror
#define zip_fopen_index grille__lz.zip_fopen_index
#define zip_get_error grille__lz.zip_get_error
#define zip_fread grille__lz.zip_fread
#define zip_get_name grille__lz.zip_get_name
#define zip_get_num_entries grille__lz.zip_get_num_entries
#define zip_name_locate grille__lz.zip_name_locate
#define zip_open grille__lz.zip_open
#define zip_register_cancel_callback_with_state grille__lz.zip_register_cancel_callback_with_state
#define zip_set_file_compression grille__lz.zip_set_file_compression
#define zip_source_free grille__lz.zip_source_free
#define zip_source_function grille__lz.zip_source_function
#define zip_source_make_command_bitmap grille__lz.zip_source_make_command_bitmap
#define zip_stat_index grille__lz.zip_stat_index
#define zip_stat_init grille__lz.zip_stat_init
#define zip_strerror grille__lz.zip_strerror
#endif

#endif
