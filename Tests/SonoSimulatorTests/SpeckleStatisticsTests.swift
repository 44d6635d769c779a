import Foundation
import SonoCore
import Testing
@testable import SonoSimulator

/// A homogeneous medium: every point scatters like typical soft tissue, nothing attenuates.
private struct UniformField: EchoField {
    var power: Double = 1
    func sample(xMM: Double, yMM: Double, rMM: Double) -> EchoSample {
        EchoSample(powerDiffuse: power, coherentAmplitude: 0, attenuationDBPerMM: 0)
    }
}

private func envelopeSNR(psf: PointSpread, grid: PolarGrid, seed: UInt64) -> (snr: Double, meanPower: Double) {
    let (re, im) = BModeImager.echoSignal(field: UniformField(), grid: grid, psf: psf, probeRadiusMM: grid.r0MM,
                                          noisePower: 0, seed: seed)
    // Skip the border, where the PSF runs off the grid.
    var sum = 0.0, sumSquares = 0.0, n = 0.0
    for ir in 20..<(grid.rows - 20) {
        for c in 40..<(grid.columns - 40) {
            let i = ir * grid.columns + c
            let power = Double(re[i] * re[i] + im[i] * im[i])
            sum += power.squareRoot()
            sumSquares += power
            n += 1
        }
    }
    let mean = sum / n
    let variance = sumSquares / n - mean * mean
    return (mean / variance.squareRoot(), sumSquares / n)
}

@Suite("Fully developed speckle")
struct SpeckleStatisticsTests {
    @Test func envelopeSNRMatchesRayleighBeforeLogCompression() {
        // Rayleigh envelope: mean/std = sqrt(pi / (4 - pi)) = 1.913.
        let grid = PolarGrid(r0MM: 60, drMM: 0.1, rows: 400, theta0Rad: -0.3, dThetaRad: 0.6 / 399, columns: 400)
        let psf = PointSpread(frequencyMHz: 3.5, focusRadiusMM: 90, focusDepthMM: 45)
        let (snr, meanPower) = envelopeSNR(psf: psf, grid: grid, seed: 42)
        #expect(abs(snr - 1.913) < 0.06, "envelope SNR \(snr)")
        // Unit-energy PSF taps keep the mean power equal to the echogenicity.
        #expect(abs(meanPower - 1) < 0.08, "mean power \(meanPower)")
    }

    @Test func envelopeSNRDoesNotDependOnPSFWidth() {
        let grid = PolarGrid(r0MM: 60, drMM: 0.1, rows: 400, theta0Rad: -0.3, dThetaRad: 0.6 / 399, columns: 400)
        let sharp = envelopeSNR(psf: PointSpread(axialSigmaMM: 0.12, lateralSigmaMM: 0.3), grid: grid, seed: 7).snr
        let blurred = envelopeSNR(psf: PointSpread(axialSigmaMM: 0.3, lateralSigmaMM: 1.2), grid: grid, seed: 7).snr
        #expect(abs(sharp - 1.913) < 0.06, "sharp PSF SNR \(sharp)")
        #expect(abs(blurred - 1.913) < 0.1, "blurred PSF SNR \(blurred)")
    }

    @Test func lateralPSFWidensAwayFromFocus() {
        let psf = PointSpread(frequencyMHz: 3.5, focusRadiusMM: 115, focusDepthMM: 70)
        let atFocus = psf.lateralSigmaMM(atRadius: 115)
        #expect(psf.lateralSigmaMM(atRadius: 200) > 1.5 * atFocus)
        #expect(psf.lateralSigmaMM(atRadius: 60) > atFocus)
        #expect(psf.axialSigmaMM < atFocus)
    }

    @Test func gaussianStandardDeviatesHaveUnitVariance() {
        var rng = Xoshiro256StarStar(seed: 1)
        var sum = 0.0, sumSquares = 0.0
        let n = 200_000
        for _ in 0..<n {
            let g = rng.gaussian()
            sum += g
            sumSquares += g * g
        }
        #expect(abs(sum / Double(n)) < 0.01)
        #expect(abs(sumSquares / Double(n) - 1) < 0.01)
    }
}
