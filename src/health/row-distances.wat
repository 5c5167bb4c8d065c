;; Distances from one float32 vector to a block of float32 rows, on 128-bit SIMD (f64x2), for
;; row-block.ts. Compiled to row-distances-wasm.ts by `npm run build:wasm`;
;; test/health/row-distances.test.ts checks that the committed bytes are what this text
;; compiles to, and that every distance equals rowDistance (example-snapshot.ts) to the last bit.
;;
;; Each coordinate is widened to float64 before any arithmetic, and the sum runs in two lanes,
;; one over the even and one over the odd coordinates, each a multiply then an add (no fused
;; multiply-add), then lane 0 + lane 1, then the last coordinate when d is odd: the order
;; rowDistance sums in, so both give the same float64 for a pair.
(module
  (import "env" "memory" (memory 1 65536))

  ;; Sum over the coordinates of q and row (byte addresses) of q·row (cosine) or (q − row)².
  (func $sum (param $d i32) (param $cosine i32) (param $q i32) (param $row i32) (result f64)
    (local $k i32) (local $evenBytes i32) (local $acc v128) (local $a v128) (local $b v128) (local $s f64) (local $x f64) (local $y f64)
    (local.set $evenBytes (i32.shl (i32.and (local.get $d) (i32.const -2)) (i32.const 2)))
    (local.set $acc (v128.const f64x2 0 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $k) (local.get $evenBytes)))
        (local.set $a (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $q) (local.get $k)))))
        (local.set $b (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $row) (local.get $k)))))
        (if (local.get $cosine)
          (then (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul (local.get $a) (local.get $b)))))
          (else
            (local.set $a (f64x2.sub (local.get $a) (local.get $b)))
            (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul (local.get $a) (local.get $a))))))
        (local.set $k (i32.add (local.get $k) (i32.const 8)))
        (br $next)))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $acc)) (f64x2.extract_lane 1 (local.get $acc))))
    (if (i32.and (local.get $d) (i32.const 1))
      (then
        (local.set $x (f64.promote_f32 (f32.load (i32.add (local.get $q) (local.get $evenBytes)))))
        (local.set $y (f64.promote_f32 (f32.load (i32.add (local.get $row) (local.get $evenBytes)))))
        (if (local.get $cosine)
          (then (local.set $s (f64.add (local.get $s) (f64.mul (local.get $x) (local.get $y)))))
          (else
            (local.set $x (f64.sub (local.get $x) (local.get $y)))
            (local.set $s (f64.add (local.get $s) (f64.mul (local.get $x) (local.get $x))))))))
    (local.get $s))

  ;; out[j] = distance from q to row j of the m rows at `rows` (row-major, d float32 each):
  ;; max(0, 1 − q·row) under cosine (unit vectors), else the Euclidean distance.
  (func (export "distances") (param $d i32) (param $cosine i32) (param $q i32) (param $rows i32) (param $m i32) (param $out i32)
    (local $j i32) (local $rowBytes i32) (local $s f64)
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $m)))
        (local.set $s (call $sum (local.get $d) (local.get $cosine) (local.get $q) (i32.add (local.get $rows) (i32.mul (local.get $j) (local.get $rowBytes)))))
        (f64.store
          (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3)))
          (if (result f64) (local.get $cosine)
            (then (f64.max (f64.const 0) (f64.sub (f64.const 1) (local.get $s))))
            (else (f64.sqrt (local.get $s)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $next))))
)
