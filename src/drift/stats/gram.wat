;; Pairwise squared Euclidean distances on 128-bit SIMD (f64x2), for gram.ts. Compiled to
;; gram-wasm.ts by `npm run build:wasm`; test/drift/stats/gram-wasm.test.ts checks that the
;; committed bytes are what this text compiles to.
;;
;; Every address is a byte offset into the imported (shared) memory: `points` is a row-major
;; n×d float64 matrix, `norms` its n squared row norms, `out` the packed strict upper
;; triangle (pair i < j at index rowBase(n, i) + j, see gram.ts).
;;
;; Every dot product is summed the same way, whichever function computes it: two lanes, one
;; over the even and one over the odd coordinates, each a multiply then an add (no fused
;; multiply-add, so each step rounds as the JS `sum += x * y` does), then lane 0 + lane 1,
;; then the last coordinate when d is odd. So a pair's distance depends only on its two rows,
;; never on the block it falls in or on how rows are split between threads.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; Byte address of pair (i, i + 1)'s slot minus 8·(i + 1): out + 8·rowBase(n, i).
  (func $rowAddress (param $n i32) (param $out i32) (param $i i32) (result i32)
    (i32.add
      (local.get $out)
      (i32.shl
        (i32.sub
          (i32.shr_u
            (i32.mul (local.get $i) (i32.sub (i32.sub (i32.shl (local.get $n) (i32.const 1)) (local.get $i)) (i32.const 1)))
            (i32.const 1))
          (i32.add (local.get $i) (i32.const 1)))
        (i32.const 3))))

  ;; lane 0 + lane 1 of a dot-product accumulator, plus the odd last coordinate of a and b.
  (func $finish (param $sum v128) (param $a i32) (param $b i32) (param $evenBytes i32) (param $odd i32) (result f64)
    (local $dot f64)
    (local.set $dot (f64.add (f64x2.extract_lane 0 (local.get $sum)) (f64x2.extract_lane 1 (local.get $sum))))
    (if (local.get $odd)
      (then
        (local.set $dot
          (f64.add (local.get $dot)
            (f64.mul
              (f64.load (i32.add (local.get $a) (local.get $evenBytes)))
              (f64.load (i32.add (local.get $b) (local.get $evenBytes))))))))
    (local.get $dot))

  ;; max(0, ‖a‖² + ‖b‖² − 2a·b): rounding can take (near-)identical points below zero.
  (func $distance (param $normA f64) (param $normB f64) (param $dot f64) (result f64)
    (local $value f64)
    (local.set $value (f64.sub (f64.add (local.get $normA) (local.get $normB)) (f64.mul (f64.const 2) (local.get $dot))))
    (select (local.get $value) (f64.const 0) (f64.gt (local.get $value) (f64.const 0))))

  ;; Squared distance between rows i and j.
  (func $pair (param $d i32) (param $points i32) (param $norms i32) (param $i i32) (param $j i32) (result f64)
    (local $a i32) (local $b i32) (local $k i32) (local $evenBytes i32) (local $sum v128)
    (local.set $a (i32.add (local.get $points) (i32.shl (i32.mul (local.get $i) (local.get $d)) (i32.const 3))))
    (local.set $b (i32.add (local.get $points) (i32.shl (i32.mul (local.get $j) (local.get $d)) (i32.const 3))))
    (local.set $evenBytes (i32.shl (i32.and (local.get $d) (i32.const -2)) (i32.const 3)))
    (local.set $sum (v128.const f64x2 0 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $k) (local.get $evenBytes)))
        (local.set $sum
          (f64x2.add (local.get $sum)
            (f64x2.mul
              (v128.load (i32.add (local.get $a) (local.get $k)))
              (v128.load (i32.add (local.get $b) (local.get $k))))))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $next)))
    (call $distance
      (f64.load (i32.add (local.get $norms) (i32.shl (local.get $i) (i32.const 3))))
      (f64.load (i32.add (local.get $norms) (i32.shl (local.get $j) (i32.const 3))))
      (call $finish (local.get $sum) (local.get $a) (local.get $b) (local.get $evenBytes) (i32.and (local.get $d) (i32.const 1)))))

  ;; Rows r of [first, end) against columns j of [from, to), r < j.
  (func $rowsByPairs (param $n i32) (param $d i32) (param $points i32) (param $norms i32) (param $out i32)
                     (param $first i32) (param $end i32) (param $from i32) (param $to i32)
    (local $r i32) (local $j i32) (local $base i32)
    (local.set $r (local.get $first))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $end)))
        (local.set $base (call $rowAddress (local.get $n) (local.get $out) (local.get $r)))
        (local.set $j (select (local.get $from) (i32.add (local.get $r) (i32.const 1)) (i32.gt_u (local.get $from) (local.get $r))))
        (block $columnsDone
          (loop $column
            (br_if $columnsDone (i32.ge_u (local.get $j) (local.get $to)))
            (f64.store
              (i32.add (local.get $base) (i32.shl (local.get $j) (i32.const 3)))
              (call $pair (local.get $d) (local.get $points) (local.get $norms) (local.get $r) (local.get $j)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $column)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; Rows i..i+3 against columns i+4..n−1, two columns at a time: each loaded pair of
  ;; coordinates feeds eight accumulators (four rows × two columns).
  (func $fourRowsAgainstRest (param $n i32) (param $d i32) (param $points i32) (param $norms i32) (param $out i32) (param $i i32)
    (local $rowBytes i32) (local $evenBytes i32) (local $odd i32)
    (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32)
    (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $r3 i32)
    (local $m0 f64) (local $m1 f64) (local $m2 f64) (local $m3 f64) (local $ny f64) (local $nz f64)
    (local $j i32) (local $p i32) (local $q i32) (local $k i32) (local $slot i32)
    (local $x v128) (local $y v128) (local $z v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local.set $rowBytes (i32.shl (local.get $d) (i32.const 3)))
    (local.set $evenBytes (i32.shl (i32.and (local.get $d) (i32.const -2)) (i32.const 3)))
    (local.set $odd (i32.and (local.get $d) (i32.const 1)))
    (local.set $o0 (i32.add (local.get $points) (i32.mul (local.get $i) (local.get $rowBytes))))
    (local.set $o1 (i32.add (local.get $o0) (local.get $rowBytes)))
    (local.set $o2 (i32.add (local.get $o1) (local.get $rowBytes)))
    (local.set $o3 (i32.add (local.get $o2) (local.get $rowBytes)))
    (local.set $r0 (call $rowAddress (local.get $n) (local.get $out) (local.get $i)))
    (local.set $r1 (call $rowAddress (local.get $n) (local.get $out) (i32.add (local.get $i) (i32.const 1))))
    (local.set $r2 (call $rowAddress (local.get $n) (local.get $out) (i32.add (local.get $i) (i32.const 2))))
    (local.set $r3 (call $rowAddress (local.get $n) (local.get $out) (i32.add (local.get $i) (i32.const 3))))
    (local.set $m0 (f64.load (i32.add (local.get $norms) (i32.shl (local.get $i) (i32.const 3)))))
    (local.set $m1 (f64.load offset=8 (i32.add (local.get $norms) (i32.shl (local.get $i) (i32.const 3)))))
    (local.set $m2 (f64.load offset=16 (i32.add (local.get $norms) (i32.shl (local.get $i) (i32.const 3)))))
    (local.set $m3 (f64.load offset=24 (i32.add (local.get $norms) (i32.shl (local.get $i) (i32.const 3)))))
    (local.set $j (i32.add (local.get $i) (i32.const 4)))
    (block $pairsDone
      (loop $columns
        (br_if $pairsDone (i32.ge_u (i32.add (local.get $j) (i32.const 1)) (local.get $n)))
        (local.set $p (i32.add (local.get $points) (i32.mul (local.get $j) (local.get $rowBytes))))
        (local.set $q (i32.add (local.get $p) (local.get $rowBytes)))
        (local.set $a0 (v128.const f64x2 0 0)) (local.set $a1 (v128.const f64x2 0 0))
        (local.set $a2 (v128.const f64x2 0 0)) (local.set $a3 (v128.const f64x2 0 0))
        (local.set $b0 (v128.const f64x2 0 0)) (local.set $b1 (v128.const f64x2 0 0))
        (local.set $b2 (v128.const f64x2 0 0)) (local.set $b3 (v128.const f64x2 0 0))
        (local.set $k (i32.const 0))
        (block $dotsDone
          (loop $coordinates
            (br_if $dotsDone (i32.ge_u (local.get $k) (local.get $evenBytes)))
            (local.set $y (v128.load (i32.add (local.get $p) (local.get $k))))
            (local.set $z (v128.load (i32.add (local.get $q) (local.get $k))))
            (local.set $x (v128.load (i32.add (local.get $o0) (local.get $k))))
            (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $x) (local.get $y))))
            (local.set $b0 (f64x2.add (local.get $b0) (f64x2.mul (local.get $x) (local.get $z))))
            (local.set $x (v128.load (i32.add (local.get $o1) (local.get $k))))
            (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $x) (local.get $y))))
            (local.set $b1 (f64x2.add (local.get $b1) (f64x2.mul (local.get $x) (local.get $z))))
            (local.set $x (v128.load (i32.add (local.get $o2) (local.get $k))))
            (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $x) (local.get $y))))
            (local.set $b2 (f64x2.add (local.get $b2) (f64x2.mul (local.get $x) (local.get $z))))
            (local.set $x (v128.load (i32.add (local.get $o3) (local.get $k))))
            (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $x) (local.get $y))))
            (local.set $b3 (f64x2.add (local.get $b3) (f64x2.mul (local.get $x) (local.get $z))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $coordinates)))
        (local.set $ny (f64.load (i32.add (local.get $norms) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $nz (f64.load offset=8 (i32.add (local.get $norms) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $slot (i32.shl (local.get $j) (i32.const 3)))
        (f64.store (i32.add (local.get $r0) (local.get $slot))
          (call $distance (local.get $m0) (local.get $ny) (call $finish (local.get $a0) (local.get $o0) (local.get $p) (local.get $evenBytes) (local.get $odd))))
        (f64.store (i32.add (local.get $r1) (local.get $slot))
          (call $distance (local.get $m1) (local.get $ny) (call $finish (local.get $a1) (local.get $o1) (local.get $p) (local.get $evenBytes) (local.get $odd))))
        (f64.store (i32.add (local.get $r2) (local.get $slot))
          (call $distance (local.get $m2) (local.get $ny) (call $finish (local.get $a2) (local.get $o2) (local.get $p) (local.get $evenBytes) (local.get $odd))))
        (f64.store (i32.add (local.get $r3) (local.get $slot))
          (call $distance (local.get $m3) (local.get $ny) (call $finish (local.get $a3) (local.get $o3) (local.get $p) (local.get $evenBytes) (local.get $odd))))
        (f64.store offset=8 (i32.add (local.get $r0) (local.get $slot))
          (call $distance (local.get $m0) (local.get $nz) (call $finish (local.get $b0) (local.get $o0) (local.get $q) (local.get $evenBytes) (local.get $odd))))
        (f64.store offset=8 (i32.add (local.get $r1) (local.get $slot))
          (call $distance (local.get $m1) (local.get $nz) (call $finish (local.get $b1) (local.get $o1) (local.get $q) (local.get $evenBytes) (local.get $odd))))
        (f64.store offset=8 (i32.add (local.get $r2) (local.get $slot))
          (call $distance (local.get $m2) (local.get $nz) (call $finish (local.get $b2) (local.get $o2) (local.get $q) (local.get $evenBytes) (local.get $odd))))
        (f64.store offset=8 (i32.add (local.get $r3) (local.get $slot))
          (call $distance (local.get $m3) (local.get $nz) (call $finish (local.get $b3) (local.get $o3) (local.get $q) (local.get $evenBytes) (local.get $odd))))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $columns)))
    ;; An odd column left over.
    (call $rowsByPairs (local.get $n) (local.get $d) (local.get $points) (local.get $norms) (local.get $out)
      (local.get $i) (i32.add (local.get $i) (i32.const 4)) (local.get $j) (local.get $n)))

  ;; The rows of the block of four starting at row i (fewer in the last block) against every
  ;; later row.
  (func (export "blockRows") (param $n i32) (param $d i32) (param $points i32) (param $norms i32) (param $out i32) (param $i i32)
    (local $end i32)
    (local.set $end (select (i32.add (local.get $i) (i32.const 4)) (local.get $n) (i32.lt_u (i32.add (local.get $i) (i32.const 4)) (local.get $n))))
    (if (i32.eq (i32.sub (local.get $end) (local.get $i)) (i32.const 4))
      (then
        ;; Pairs inside the block, then the rest four rows at a time.
        (call $rowsByPairs (local.get $n) (local.get $d) (local.get $points) (local.get $norms) (local.get $out)
          (local.get $i) (local.get $end) (i32.const 0) (local.get $end))
        (call $fourRowsAgainstRest (local.get $n) (local.get $d) (local.get $points) (local.get $norms) (local.get $out) (local.get $i)))
      (else (call $rowsByPairs (local.get $n) (local.get $d) (local.get $points) (local.get $norms) (local.get $out)
        (local.get $i) (local.get $end) (i32.const 0) (local.get $n))))))
