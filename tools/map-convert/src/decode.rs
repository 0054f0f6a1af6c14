//! ECharts' compressed map files: the JavaScript wrapper around the
//! feature collection, and the coordinate encoding of its rings.

use serde_json::Value;

/// ECharts stores coordinates as integers in 1/1024 of a degree.
const ENCODE_SCALE: f64 = 1024.0;

/// One county feature as the package has it, coordinates in degrees.
#[derive(Debug, Clone)]
pub struct RawFeature {
    /// The feature's `id`: an old county code, a hint only (may be absent).
    pub id: Option<String>,
    pub name: String,
    /// Every ring (outer rings and holes) of every polygon.
    pub rings: Vec<Vec<(f64, f64)>>,
}

/// A prefecture file: the name given to `registerMap` and its features.
#[derive(Debug)]
pub struct RawFile {
    pub map_name: String,
    pub features: Vec<RawFeature>,
}

/// Reads a minified file `…registerMap("安庆",{type:"FeatureCollection",…})…`.
pub fn read_file(js: &str) -> Result<RawFile, String> {
    let at = js.find("registerMap(").ok_or("no registerMap call")? + "registerMap(".len();
    let rest = &js[at..];
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'');
    let quote = quote.ok_or("the map name is not a string")?;
    let end = rest[1..].find(quote).ok_or("the map name is not closed")? + 1;
    let map_name = rest[1..end].to_string();
    let object = &rest[end..];
    let object = &object[object.find('{').ok_or("no feature collection")?..];
    read_collection(map_name, &to_json(object)?)
}

/// Reads a plain GeoJSON feature collection, to be named `map_name`.
pub fn read_collection(map_name: String, json: &str) -> Result<RawFile, String> {
    let value: Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let features = value["features"]
        .as_array()
        .ok_or("no features")?
        .iter()
        .map(feature)
        .collect::<Result<_, _>>()?;
    Ok(RawFile { map_name, features })
}

/// Turns the first JavaScript object literal of `js` into JSON: bare keys
/// quoted, `!0`/`!1` as booleans, numbers like `.5` given their zero.
/// Enough for minified data literals, which is all these files hold.
pub fn to_json(js: &str) -> Result<String, String> {
    let b = js.as_bytes();
    let (mut out, mut i, mut depth) = (String::with_capacity(js.len() + js.len() / 8), 0, 0i32);
    while i < b.len() {
        let c = b[i];
        let start = i;
        match c {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                out.push_str(js.get(start..i).ok_or("a string is not closed")?);
            }
            b'!' if matches!(b.get(i + 1), Some(b'0' | b'1')) => {
                out.push_str(if b[i + 1] == b'0' { "true" } else { "false" });
                i += 2;
            }
            b'0'..=b'9' | b'.' | b'-' => {
                i += 1;
                while i < b.len() && matches!(b[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
                {
                    i += 1;
                }
                let num = &js[start..i];
                match num.strip_prefix('-') {
                    Some(n) if n.starts_with('.') => out.push_str(&format!("-0{n}")),
                    _ if num.starts_with('.') => out.push_str(&format!("0{num}")),
                    _ => out.push_str(num),
                }
            }
            c if c.is_ascii_alphabetic() || c == b'_' || c == b'$' => {
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$')
                {
                    i += 1;
                }
                match &js[start..i] {
                    w @ ("true" | "false" | "null") => out.push_str(w),
                    w => out.push_str(&format!("\"{w}\"")),
                }
            }
            _ => {
                depth += match c {
                    b'{' | b'[' => 1,
                    b'}' | b']' => -1,
                    _ => 0,
                };
                out.push(c as char);
                i += 1;
                if depth == 0 {
                    return Ok(out);
                }
            }
        }
    }
    Err("the object literal is not closed".into())
}

fn feature(f: &Value) -> Result<RawFeature, String> {
    let name = f["properties"]["name"]
        .as_str()
        .ok_or("a feature has no name")?;
    let id = match &f["id"] {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let g = &f["geometry"];
    let coords = g["coordinates"].as_array().ok_or("no coordinates")?;
    let offsets = &g["encodeOffsets"];
    let mut rings = Vec::new();
    match g["type"].as_str() {
        Some("Polygon") => polygon(coords, offsets, &mut rings),
        Some("MultiPolygon") => coords.iter().enumerate().try_for_each(|(i, p)| {
            polygon(
                p.as_array().ok_or("a polygon is not a list")?,
                &offsets[i],
                &mut rings,
            )
        }),
        other => Err(format!("{name}: geometry {other:?}")),
    }
    .map_err(|e| format!("{name}: {e}"))?;
    Ok(RawFeature {
        id,
        name: name.to_string(),
        rings,
    })
}

/// A polygon's rings: encoded strings (with their offsets) or plain arrays.
fn polygon(rings: &[Value], offsets: &Value, out: &mut Vec<Vec<(f64, f64)>>) -> Result<(), String> {
    for (i, ring) in rings.iter().enumerate() {
        match ring {
            Value::String(s) => {
                // Minified offsets may be written 26e3, which JSON reads as a float.
                let off = |k: usize| offsets[i][k].as_f64().map(|v| v.round() as i64);
                let (Some(x), Some(y)) = (off(0), off(1)) else {
                    return Err("an encoded ring has no offset".into());
                };
                out.push(decode_ring(s, (x, y)));
            }
            Value::Array(points) => out.push(
                points
                    .iter()
                    .map(|p| Some((p[0].as_f64()?, p[1].as_f64()?)))
                    .collect::<Option<_>>()
                    .ok_or("a point is not two numbers")?,
            ),
            _ => return Err("a ring is neither a string nor a list".into()),
        }
    }
    Ok(())
}

/// ECharts' ring encoding: each pair of UTF-16 units is a zigzag-coded
/// step (x, y) from the point before, starting at `offset`.
pub fn decode_ring(s: &str, offset: (i64, i64)) -> Vec<(f64, f64)> {
    let units: Vec<u16> = s.encode_utf16().collect();
    let mut prev = offset;
    units
        .chunks_exact(2)
        .map(|p| {
            prev = (prev.0 + unzigzag(p[0]), prev.1 + unzigzag(p[1]));
            (prev.0 as f64 / ENCODE_SCALE, prev.1 as f64 / ENCODE_SCALE)
        })
        .collect()
}

/// `v = code - 64; v = (v >> 1) ^ -(v & 1)`: even codes are steps up,
/// odd codes steps down.
pub fn unzigzag(unit: u16) -> i64 {
    let v = i64::from(unit) - 64;
    (v >> 1) ^ -(v & 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zigzag_even_codes_go_up_odd_codes_go_down() {
        assert_eq!(unzigzag(b'@' as u16), 0);
        assert_eq!(unzigzag(b'A' as u16), -1);
        assert_eq!(unzigzag(b'B' as u16), 1);
        assert_eq!(unzigzag(b'C' as u16), -2);
        assert_eq!(unzigzag(b'D' as u16), 2);
    }

    #[test]
    fn an_encoded_ring_is_steps_from_its_offset() {
        // "@@" no step, "BD" (+1,+2), "AC" (-1,-2): back to the start.
        let ring = decode_ring("@@BDAC", (1024 * 100, 1024 * 30));
        assert_eq!(
            ring,
            vec![
                (100.0, 30.0),
                (100.0 + 1.0 / 1024.0, 30.0 + 2.0 / 1024.0),
                (100.0, 30.0)
            ]
        );
    }

    #[test]
    fn the_package_ring_of_yingjiang_decodes_to_its_geojson_points() {
        // The first steps of 迎江区 (安庆) in js/…/an1_hui1_an1_qing4.js, and
        // the first points the package's geojson/ copy gives for it.
        let ring = decode_ring("@@A@I@BL", (119851, 31227));
        assert_eq!(
            ring,
            vec![
                (117.0419921875, 30.4951171875),
                (117.041015625, 30.4951171875),
                (117.0361328125, 30.4951171875),
                (117.037109375, 30.5009765625)
            ]
        );
    }

    #[test]
    fn a_minified_literal_becomes_json() {
        let json = to_json(r#"{type:"F",a:[.5,-.25,26e3],b:!0,c:"x\"y"},tail"#).unwrap();
        assert_eq!(
            json,
            r#"{"type":"F","a":[0.5,-0.25,26e3],"b":true,"c":"x\"y"}"#
        );
    }

    #[test]
    fn a_file_gives_its_map_name_and_both_kinds_of_ring() {
        let js = r#"x.registerMap("安庆",{type:"FeatureCollection",features:[
            {type:"Feature",id:"340802",properties:{name:"迎江区"},geometry:{type:"Polygon",
              coordinates:["@@BDAC"],encodeOffsets:[[102400,30720]]}},
            {type:"Feature",properties:{name:"某县"},geometry:{type:"MultiPolygon",
              coordinates:[[[[1,2],[3,4],[1,2]]],["@@BB"]],encodeOffsets:[[],[[1024,1024]]]}}
          ],UTF8Encoding:!0})"#;
        let f = read_file(js).unwrap();
        assert_eq!(f.map_name, "安庆");
        assert_eq!(f.features[0].id.as_deref(), Some("340802"));
        assert_eq!(f.features[0].rings[0][0], (100.0, 30.0));
        assert_eq!(f.features[1].id, None);
        assert_eq!(f.features[1].rings.len(), 2);
        assert_eq!(f.features[1].rings[0][1], (3.0, 4.0));
        assert_eq!(
            f.features[1].rings[1][1],
            (1.0 + 1.0 / 1024.0, 1.0 + 1.0 / 1024.0)
        );
    }
}
