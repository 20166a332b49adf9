//! The `plaid_client::CursorSync` / `plaid_client::Paginated` implementations for the shapes
//! [`super::detect`] found.

use proc_macro2::TokenStream;
use quote::quote;

use super::{FieldPath, Paged, Shape};

/// `ty` as seen from the `operations` module: bare one-segment type names that are not
/// primitives (`i64`, `bool`) are types of the `types` module, at any depth of generic arguments.
fn qualify(ty: &syn::Type) -> TokenStream {
    let syn::Type::Path(p) = ty else {
        return quote!(#ty);
    };
    if p.qself.is_some() {
        return quote!(#ty);
    }
    let local = p.path.leading_colon.is_none()
        && p.path.segments.len() == 1
        && p.path.segments[0]
            .ident
            .to_string()
            .starts_with(|c: char| c.is_ascii_uppercase());
    let mut segments = Vec::new();
    for seg in &p.path.segments {
        let id = &seg.ident;
        match &seg.arguments {
            syn::PathArguments::AngleBracketed(ab) => {
                let args = ab.args.iter().map(|a| match a {
                    syn::GenericArgument::Type(t) => qualify(t),
                    other => quote!(#other),
                });
                segments.push(quote!(#id<#(#args),*>));
            }
            _ => segments.push(quote!(#id)),
        }
    }
    let lead = p.path.leading_colon.map(|_| quote!(::));
    let prefix = if local { quote!(types::) } else { quote!() };
    quote!(#lead #prefix #(#segments)::*)
}

fn read_int(path: &FieldPath, on: TokenStream) -> TokenStream {
    let f = &path.field;
    match &path.parent {
        None => quote!(crate::pagination::IntField::int(&#on.#f)),
        Some((p, true)) => {
            quote!(#on.#p.as_ref().and_then(|o| crate::pagination::IntField::int(&o.#f)))
        }
        Some((p, false)) => quote!(crate::pagination::IntField::int(&#on.#p.#f)),
    }
}

fn write_int(path: &FieldPath, on: TokenStream, value: TokenStream) -> TokenStream {
    let f = &path.field;
    match &path.parent {
        None => quote!(crate::pagination::IntField::set_int(&mut #on.#f, #value)),
        Some((p, true)) => quote!(crate::pagination::IntField::set_int(
            &mut #on.#p.get_or_insert_with(::std::default::Default::default).#f,
            #value
        )),
        Some((p, false)) => quote!(crate::pagination::IntField::set_int(&mut #on.#p.#f, #value)),
    }
}

/// `CursorField` for a string newtype and its `Option`, so the glue treats it like `String`.
pub fn emit_text_newtype(name: &syn::Ident) -> TokenStream {
    quote! {
        impl crate::pagination::CursorField for types::#name {
            type Value = ::std::string::String;
            fn get(&self) -> ::std::option::Option<::std::string::String> {
                ::std::option::Option::Some(self.0.clone()).filter(|c| !c.is_empty())
            }
            fn set(&mut self, value: ::std::option::Option<::std::string::String>) {
                self.0 = value.unwrap_or_default();
            }
        }
        impl crate::pagination::CursorField for ::std::option::Option<types::#name> {
            type Value = ::std::string::String;
            fn get(&self) -> ::std::option::Option<::std::string::String> {
                self.as_ref().map(|v| v.0.clone()).filter(|c| !c.is_empty())
            }
            fn set(&mut self, value: ::std::option::Option<::std::string::String>) {
                *self = value.map(types::#name);
            }
        }
    }
}

/// The trait implementations for one marker.
pub fn emit(marker: &syn::Ident, shape: &Shape) -> TokenStream {
    match shape {
        Shape::CursorSync {
            count,
            max_count,
            paged,
        } => emit_cursor_sync(marker, count.as_ref(), *max_count, paged),
        Shape::CursorList { cursor, items } => emit_cursor_list(marker, cursor, items),
        Shape::Offset {
            count,
            offset,
            total,
            items,
        } => emit_offset(marker, count, offset, total.as_ref(), items),
        Shape::AfterId {
            count,
            has_more,
            items,
        } => emit_after_id(marker, count.as_ref(), *has_more, items),
    }
}

/// `fn count` of a list whose request has a page size.
fn count_fn(count: Option<&FieldPath>) -> TokenStream {
    match count {
        Some(c) => {
            let read = read_int(c, quote!(request));
            quote! {
                fn count(request: &Self::Request) -> ::std::option::Option<i64> { #read }
            }
        }
        None => quote!(),
    }
}

/// The items of `Paginated` every list style has: the paged field and its element type.
fn list_common(items: &Paged) -> TokenStream {
    let list = quote!(crate::pagination::ListField);
    let f = &items.field;
    let name = f.to_string();
    let item = qualify(&items.item);
    quote! {
        const ITEMS_FIELD: &'static str = #name;
        type Item = #item;
        fn page_len(response: &Self::Response) -> usize { #list::len(&response.#f) }
        fn take_items(response: &mut Self::Response) -> ::std::vec::Vec<Self::Item> {
            #list::take(&mut response.#f)
        }
    }
}

fn emit_cursor_sync(
    marker: &syn::Ident,
    count: Option<&FieldPath>,
    max_count: Option<i64>,
    paged: &[syn::Ident],
) -> TokenStream {
    let cursor_field = quote!(crate::pagination::CursorField);
    let flag = quote!(crate::pagination::FlagField);
    let list = quote!(crate::pagination::ListField);
    let max = match max_count {
        Some(m) => quote!(::std::option::Option::Some(#m)),
        None => quote!(::std::option::Option::None),
    };
    let names: Vec<String> = paged.iter().map(ToString::to_string).collect();
    let set_count = match count {
        Some(c) => write_int(c, quote!(request), quote!(count)),
        None => quote!(let _ = (request, count)),
    };
    quote! {
        impl crate::CursorSync for #marker {
            const MAX_COUNT: ::std::option::Option<i64> = #max;
            const PAGED_FIELDS: &'static [&'static str] = &[#(#names),*];
            fn cursor(request: &Self::Request) -> ::std::option::Option<::std::string::String> {
                #cursor_field::get(&request.cursor)
            }
            fn set_cursor(request: &mut Self::Request, cursor: ::std::option::Option<::std::string::String>) {
                #cursor_field::set(&mut request.cursor, cursor)
            }
            fn set_count(request: &mut Self::Request, count: i64) {
                #set_count;
            }
            fn next_cursor(response: &Self::Response) -> ::std::option::Option<::std::string::String> {
                #cursor_field::get(&response.next_cursor)
            }
            fn has_more(response: &Self::Response) -> bool {
                #flag::flag(&response.has_more).unwrap_or(false)
            }
            fn page_len(response: &Self::Response) -> usize {
                0 #(+ #list::len(&response.#paged))*
            }
            fn merge(acc: &mut Self::Response, mut page: Self::Response) {
                #(
                    let earlier = #list::take(&mut acc.#paged);
                    #list::prepend(&mut page.#paged, earlier);
                )*
                *acc = page;
            }
        }
    }
}

fn emit_cursor_list(marker: &syn::Ident, cursor: &syn::Type, items: &Paged) -> TokenStream {
    let cursor_field = quote!(crate::pagination::CursorField);
    let common = list_common(items);
    let cursor_ty = qualify(cursor);
    let cursor = quote!(<#cursor_ty as #cursor_field>::Value);
    paginated_impl(
        marker,
        "Cursor",
        cursor,
        quote! {
            #common
            fn set_cursor(request: &mut Self::Request, cursor: ::std::option::Option<Self::Cursor>) {
                #cursor_field::set(&mut request.cursor, cursor)
            }
            fn cursor(request: &Self::Request) -> ::std::option::Option<Self::Cursor> {
                #cursor_field::get(&request.cursor)
            }
            fn next_cursor(response: &Self::Response) -> ::std::option::Option<Self::Cursor> {
                #cursor_field::get(&response.next_cursor)
            }
        },
    )
}

fn emit_offset(
    marker: &syn::Ident,
    count: &FieldPath,
    offset: &FieldPath,
    total: Option<&syn::Ident>,
    items: &Paged,
) -> TokenStream {
    let common = list_common(items);
    let count = count_fn(Some(count));
    let read = read_int(offset, quote!(request));
    let write = write_int(offset, quote!(request), quote!(offset));
    let total = match total {
        Some(t) => quote! {
            fn total(response: &Self::Response) -> ::std::option::Option<i64> {
                crate::pagination::IntField::int(&response.#t)
            }
        },
        None => quote!(),
    };
    paginated_impl(
        marker,
        "Offset",
        quote!(()),
        quote! {
            #common
            #count
            fn offset(request: &Self::Request) -> i64 { #read.unwrap_or(0) }
            fn set_offset(request: &mut Self::Request, offset: i64) { #write; }
            #total
        },
    )
}

fn emit_after_id(
    marker: &syn::Ident,
    count: Option<&FieldPath>,
    has_more: bool,
    items: &Paged,
) -> TokenStream {
    let flag = quote!(crate::pagination::FlagField);
    let list = quote!(crate::pagination::ListField);
    let common = list_common(items);
    let count = count_fn(count);
    let f = &items.field;
    let has_more = if has_more {
        quote! {
            fn has_more(response: &Self::Response) -> ::std::option::Option<bool> {
                #flag::flag(&response.has_more)
            }
        }
    } else {
        quote!()
    };
    paginated_impl(
        marker,
        "AfterId",
        quote!(()),
        quote! {
            #common
            #count
            fn after_id(request: &Self::Request) -> i64 {
                crate::pagination::IntField::int(&request.after_id).unwrap_or(0)
            }
            fn set_after_id(request: &mut Self::Request, after_id: i64) {
                crate::pagination::IntField::set_int(&mut request.after_id, after_id)
            }
            fn last_id(response: &Self::Response) -> ::std::option::Option<i64> {
                #list::last(&response.#f).and_then(|e| crate::pagination::IntField::int(&e.event_id))
            }
            #has_more
        },
    )
}

/// `impl crate::Paginated for marker` of page style `style` (a `crate::PageStyle` variant), with
/// its `Cursor` type and the rest of its items.
fn paginated_impl(
    marker: &syn::Ident,
    style: &str,
    cursor: TokenStream,
    items: TokenStream,
) -> TokenStream {
    let style = quote::format_ident!("{style}");
    quote! {
        impl crate::Paginated for #marker {
            const STYLE: crate::PageStyle = crate::PageStyle::#style;
            type Cursor = #cursor;
            #items
        }
    }
}
