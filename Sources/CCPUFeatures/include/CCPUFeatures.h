// CPU feature levels for SonoFilters' run-time kernel dispatch.
//
// Why C: Swift cannot execute CPUID or XGETBV. The compiler's __builtin_cpu_supports checks both
// the CPU's feature bits and that the OS saves the wider registers (XCR0), which is what decides
// whether AVX2 or AVX-512 code may run.
#ifndef SONO_CCPUFEATURES_H
#define SONO_CCPUFEATURES_H

/// 0: baseline (any x86-64, or not x86-64 at all); 3: x86-64-v3 as compiled for `haswell`
/// (AVX2, FMA, BMI1/2, F16C, MOVBE, LZCNT); 4: x86-64-v4 as compiled for `skylake-avx512`
/// (v3 plus AVX-512 F/CD/BW/DQ/VL).
int sono_cpu_level(void);

#endif
