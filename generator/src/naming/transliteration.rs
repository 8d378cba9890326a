//! Letters of other alphabets spelled in ASCII, for identifiers: a name in a document is often
//! German, French, Polish or Russian (`größe`, `café`, `имя`), and a Rust name that drops
//! those letters (`gre`, `caf`, `value`) says nothing. Latin letters lose their marks as
//! Unicode decomposes them (`ß` is `ss`, `æ` `ae`, `ø` `o`, `ł` `l`, `þ` `th`); Greek and
//! Cyrillic follow the usual romanisations (`θ` `th`, `ж` `zh`, `щ` `shch`). Letters of other
//! scripts stay as they are, and the identifier rules decide what becomes of them.

use std::borrow::Cow;

/// `raw` with each letter of the table in ASCII; an upper-case letter spelled with several
/// (`Ж`) is all upper case before another upper-case letter (`ЖУК` is `ZHUK`, `Жук` `Zhuk`).
pub fn to_ascii(raw: &str) -> Cow<'_, str> {
    if raw.is_ascii() {
        return Cow::Borrowed(raw);
    }
    let chars: Vec<char> = raw.chars().collect();
    let mut out = String::with_capacity(raw.len());
    for (at, &c) in chars.iter().enumerate() {
        let Ok(index) = TABLE.binary_search_by_key(&c, |&(letter, _)| letter) else {
            out.push(c);
            continue;
        };
        let ascii = TABLE[index].1;
        if c.is_uppercase() && ascii.len() > 1 && chars.get(at + 1).is_some_and(|next| next.is_uppercase()) {
            out.push_str(&ascii.to_ascii_uppercase());
        } else {
            out.push_str(ascii);
        }
    }
    Cow::Owned(out)
}

/// Letters and their ASCII spelling, sorted by letter: Latin-1 and Latin Extended-A
/// (U+00C0–U+017F), Greek (U+0386–U+03CE), Cyrillic (U+0400–U+045F).
#[rustfmt::skip]
const TABLE: &[(char, &str)] = &[
    ('À', "A"), ('Á', "A"), ('Â', "A"), ('Ã', "A"), ('Ä', "A"), ('Å', "A"), ('Æ', "Ae"), ('Ç', "C"), ('È', "E"),
    ('É', "E"), ('Ê', "E"), ('Ë', "E"), ('Ì', "I"), ('Í', "I"), ('Î', "I"), ('Ï', "I"), ('Ð', "D"), ('Ñ', "N"),
    ('Ò', "O"), ('Ó', "O"), ('Ô', "O"), ('Õ', "O"), ('Ö', "O"), ('Ø', "O"), ('Ù', "U"), ('Ú', "U"), ('Û', "U"),
    ('Ü', "U"), ('Ý', "Y"), ('Þ', "Th"), ('ß', "ss"), ('à', "a"), ('á', "a"), ('â', "a"), ('ã', "a"), ('ä', "a"),
    ('å', "a"), ('æ', "ae"), ('ç', "c"), ('è', "e"), ('é', "e"), ('ê', "e"), ('ë', "e"), ('ì', "i"), ('í', "i"),
    ('î', "i"), ('ï', "i"), ('ð', "d"), ('ñ', "n"), ('ò', "o"), ('ó', "o"), ('ô', "o"), ('õ', "o"), ('ö', "o"),
    ('ø', "o"), ('ù', "u"), ('ú', "u"), ('û', "u"), ('ü', "u"), ('ý', "y"), ('þ', "th"), ('ÿ', "y"), ('Ā', "A"),
    ('ā', "a"), ('Ă', "A"), ('ă', "a"), ('Ą', "A"), ('ą', "a"), ('Ć', "C"), ('ć', "c"), ('Ĉ', "C"), ('ĉ', "c"),
    ('Ċ', "C"), ('ċ', "c"), ('Č', "C"), ('č', "c"), ('Ď', "D"), ('ď', "d"), ('Đ', "D"), ('đ', "d"), ('Ē', "E"),
    ('ē', "e"), ('Ĕ', "E"), ('ĕ', "e"), ('Ė', "E"), ('ė', "e"), ('Ę', "E"), ('ę', "e"), ('Ě', "E"), ('ě', "e"),
    ('Ĝ', "G"), ('ĝ', "g"), ('Ğ', "G"), ('ğ', "g"), ('Ġ', "G"), ('ġ', "g"), ('Ģ', "G"), ('ģ', "g"), ('Ĥ', "H"),
    ('ĥ', "h"), ('Ħ', "H"), ('ħ', "h"), ('Ĩ', "I"), ('ĩ', "i"), ('Ī', "I"), ('ī', "i"), ('Ĭ', "I"), ('ĭ', "i"),
    ('Į', "I"), ('į', "i"), ('İ', "I"), ('ı', "i"), ('Ĳ', "Ij"), ('ĳ', "ij"), ('Ĵ', "J"), ('ĵ', "j"), ('Ķ', "K"),
    ('ķ', "k"), ('ĸ', "k"), ('Ĺ', "L"), ('ĺ', "l"), ('Ļ', "L"), ('ļ', "l"), ('Ľ', "L"), ('ľ', "l"), ('Ŀ', "L"),
    ('ŀ', "l"), ('Ł', "L"), ('ł', "l"), ('Ń', "N"), ('ń', "n"), ('Ņ', "N"), ('ņ', "n"), ('Ň', "N"), ('ň', "n"),
    ('ŉ', "n"), ('Ŋ', "N"), ('ŋ', "n"), ('Ō', "O"), ('ō', "o"), ('Ŏ', "O"), ('ŏ', "o"), ('Ő', "O"), ('ő', "o"),
    ('Œ', "Oe"), ('œ', "oe"), ('Ŕ', "R"), ('ŕ', "r"), ('Ŗ', "R"), ('ŗ', "r"), ('Ř', "R"), ('ř', "r"), ('Ś', "S"),
    ('ś', "s"), ('Ŝ', "S"), ('ŝ', "s"), ('Ş', "S"), ('ş', "s"), ('Š', "S"), ('š', "s"), ('Ţ', "T"), ('ţ', "t"),
    ('Ť', "T"), ('ť', "t"), ('Ŧ', "T"), ('ŧ', "t"), ('Ũ', "U"), ('ũ', "u"), ('Ū', "U"), ('ū', "u"), ('Ŭ', "U"),
    ('ŭ', "u"), ('Ů', "U"), ('ů', "u"), ('Ű', "U"), ('ű', "u"), ('Ų', "U"), ('ų', "u"), ('Ŵ', "W"), ('ŵ', "w"),
    ('Ŷ', "Y"), ('ŷ', "y"), ('Ÿ', "Y"), ('Ź', "Z"), ('ź', "z"), ('Ż', "Z"), ('ż', "z"), ('Ž', "Z"), ('ž', "z"),
    ('ſ', "s"), ('Ά', "A"), ('Έ', "E"), ('Ή', "I"), ('Ί', "I"), ('Ό', "O"), ('Ύ', "Y"), ('Ώ', "O"), ('ΐ', "i"),
    ('Α', "A"), ('Β', "V"), ('Γ', "G"), ('Δ', "D"), ('Ε', "E"), ('Ζ', "Z"), ('Η', "I"), ('Θ', "Th"), ('Ι', "I"),
    ('Κ', "K"), ('Λ', "L"), ('Μ', "M"), ('Ν', "N"), ('Ξ', "X"), ('Ο', "O"), ('Π', "P"), ('Ρ', "R"), ('Σ', "S"),
    ('Τ', "T"), ('Υ', "Y"), ('Φ', "F"), ('Χ', "Ch"), ('Ψ', "Ps"), ('Ω', "O"), ('Ϊ', "I"), ('Ϋ', "Y"), ('ά', "a"),
    ('έ', "e"), ('ή', "i"), ('ί', "i"), ('ΰ', "y"), ('α', "a"), ('β', "v"), ('γ', "g"), ('δ', "d"), ('ε', "e"),
    ('ζ', "z"), ('η', "i"), ('θ', "th"), ('ι', "i"), ('κ', "k"), ('λ', "l"), ('μ', "m"), ('ν', "n"), ('ξ', "x"),
    ('ο', "o"), ('π', "p"), ('ρ', "r"), ('ς', "s"), ('σ', "s"), ('τ', "t"), ('υ', "y"), ('φ', "f"), ('χ', "ch"),
    ('ψ', "ps"), ('ω', "o"), ('ϊ', "i"), ('ϋ', "y"), ('ό', "o"), ('ύ', "y"), ('ώ', "o"), ('Ѐ', "E"), ('Ё', "E"),
    ('Ђ', "Dj"), ('Ѓ', "G"), ('Є', "Ie"), ('Ѕ', "Dz"), ('І', "I"), ('Ї', "I"), ('Ј', "J"), ('Љ', "Lj"), ('Њ', "Nj"),
    ('Ћ', "C"), ('Ќ', "K"), ('Ѝ', "I"), ('Ў', "U"), ('Џ', "Dz"), ('А', "A"), ('Б', "B"), ('В', "V"), ('Г', "G"),
    ('Д', "D"), ('Е', "E"), ('Ж', "Zh"), ('З', "Z"), ('И', "I"), ('Й', "I"), ('К', "K"), ('Л', "L"), ('М', "M"),
    ('Н', "N"), ('О', "O"), ('П', "P"), ('Р', "R"), ('С', "S"), ('Т', "T"), ('У', "U"), ('Ф', "F"), ('Х', "Kh"),
    ('Ц', "Ts"), ('Ч', "Ch"), ('Ш', "Sh"), ('Щ', "Shch"), ('Ъ', ""), ('Ы', "Y"), ('Ь', ""), ('Э', "E"), ('Ю', "Iu"),
    ('Я', "Ia"), ('а', "a"), ('б', "b"), ('в', "v"), ('г', "g"), ('д', "d"), ('е', "e"), ('ж', "zh"), ('з', "z"),
    ('и', "i"), ('й', "i"), ('к', "k"), ('л', "l"), ('м', "m"), ('н', "n"), ('о', "o"), ('п', "p"), ('р', "r"),
    ('с', "s"), ('т', "t"), ('у', "u"), ('ф', "f"), ('х', "kh"), ('ц', "ts"), ('ч', "ch"), ('ш', "sh"), ('щ', "shch"),
    ('ъ', ""), ('ы', "y"), ('ь', ""), ('э', "e"), ('ю', "iu"), ('я', "ia"), ('ѐ', "e"), ('ё', "e"), ('ђ', "dj"),
    ('ѓ', "g"), ('є', "ie"), ('ѕ', "dz"), ('і', "i"), ('ї', "i"), ('ј', "j"), ('љ', "lj"), ('њ', "nj"), ('ћ', "c"),
    ('ќ', "k"), ('ѝ', "i"), ('ў', "u"), ('џ', "dz"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_are_spelled_in_ascii_and_others_stay() {
        assert_eq!(to_ascii("größe"), "grosse");
        assert_eq!(to_ascii("Ärger café Łódź"), "Arger cafe Lodz");
        assert_eq!(to_ascii("имя Жук ЖУК"), "imia Zhuk ZHUK");
        assert_eq!(to_ascii("θέμα"), "thema");
        assert_eq!(to_ascii("名前 ok"), "名前 ok");
        assert!(matches!(to_ascii("plain"), Cow::Borrowed("plain")));
    }

    #[test]
    fn the_table_is_sorted_and_all_ascii() {
        assert!(TABLE.windows(2).all(|pair| pair[0].0 < pair[1].0));
        assert!(TABLE.iter().all(|(_, ascii)| ascii.chars().all(|c| c.is_ascii_alphabetic())));
    }
}
