import Testing
@testable import Ledger

/// RFC 8032 §7.1, every Ed25519 test vector, and malformed input of each kind the verifier
/// must refuse. SHA-512 is checked against FIPS 180-4's examples first, since Ed25519 rests on it.
@Suite struct Ed25519Tests {
    @Test(arguments: [
        ("", "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"),
        ("abc", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"),
    ])
    func sha512KnownAnswers(message: String, digest: String) {
        #expect(Hex.encode(SHA512.hash(Array(message.utf8))) == digest)
    }

    @Test func sha512AtBlockBoundaries() {
        // 111 and 112 bytes straddle the point where the length no longer fits the last block.
        #expect(Hex.encode(SHA512.hash([UInt8](repeating: 0x61, count: 1_000_000)))
            == "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b")
        for n in [111, 112, 127, 128, 129] { #expect(SHA512.hash([UInt8](repeating: 1, count: n)).count == 64) }
    }

    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String, seed: String, publicKey: String, message: String, signature: String
        var testDescription: String { name }
    }

    static let rfc8032: [Vector] = [
        Vector(name: "TEST 1", seed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
               publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", message: "",
               signature: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
        Vector(name: "TEST 2", seed: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
               publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", message: "72",
               signature: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
        Vector(name: "TEST 3", seed: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
               publicKey: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", message: "af82",
               signature: "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
        Vector(name: "TEST 1024", seed: "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
               publicKey: "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
               message: "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12ee50f8f54e9f77b1e355f6c50544e23fb1433ddf73be84d879de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc1a858efcb8550ee3a5e1998bd177e93a7363c344fe6b199ee5d02e82d522c4feba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbefefd75499da96bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec7aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed185ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2d17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f27088d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2cf65bd92dd597b0707e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128bab27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51addd3b75a2b1ae0784504df543af8969be3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb751fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c42f58c30c04aafdb038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34dff7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08d78ff4ef5d63653a65040cf9bfd4aca7984a74d37145986780fc0b16ac451649de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e488acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a32ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504ccc493d97e6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5fb93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b50d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d90d11faa933a15ef1369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380db2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618983f8741c5ef68d3a101e8a3b8cac60c905c15fc910840b94c00a0b9d0",
               signature: "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03"),
        Vector(name: "TEST SHA(abc)", seed: "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
               publicKey: "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
               message: "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
               signature: "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"),
    ]

    @Test(arguments: rfc8032)
    func rfc8032Vector(_ v: Vector) throws {
        let seed = try #require(Hex.decode(v.seed)), message = try #require(Hex.decode(v.message))
        let pub = try #require(Hex.decode(v.publicKey)), sig = try #require(Hex.decode(v.signature))
        #expect(Hex.encode(Ed25519.publicKey(seed: seed)) == v.publicKey)
        #expect(Hex.encode(Ed25519.sign(message, seed: seed)) == v.signature)
        #expect(Ed25519.verify(sig, message: message, publicKey: pub))
    }

    /// Every single-bit change of the message, the signature or the key makes it fail.
    @Test(arguments: rfc8032.prefix(3))
    func anyChangeFails(_ v: Vector) throws {
        let message = try #require(Hex.decode(v.message)) + [0x00]
        let pub = try #require(Hex.decode(v.publicKey)), sig = Ed25519.sign(message, seed: try #require(Hex.decode(v.seed)))
        #expect(Ed25519.verify(sig, message: message, publicKey: pub))
        var changedMessage = message
        changedMessage[0] ^= 1
        #expect(!Ed25519.verify(sig, message: changedMessage, publicKey: pub))
        #expect(!Ed25519.verify(sig, message: message.dropLast() + [0x01], publicKey: pub))
        for bit in stride(from: 0, to: 512, by: 7) {
            var s = sig
            s[bit / 8] ^= UInt8(1 << (bit % 8))
            #expect(!Ed25519.verify(s, message: message, publicKey: pub), "signature bit \(bit)")
        }
        for bit in stride(from: 0, to: 256, by: 5) {
            var k = pub
            k[bit / 8] ^= UInt8(1 << (bit % 8))
            #expect(!Ed25519.verify(sig, message: message, publicKey: k), "key bit \(bit)")
        }
        #expect(!Ed25519.verify(Array(sig.dropLast()), message: message, publicKey: pub))
        #expect(!Ed25519.verify(sig, message: message, publicKey: Array(pub.dropLast())))
    }

    /// S + L verifies the same equation, so only the canonical S < L may be accepted.
    @Test func nonCanonicalSIsRefused() throws {
        let v = Ed25519Tests.rfc8032[0]
        let sig = try #require(Hex.decode(v.signature)), pub = try #require(Hex.decode(v.publicKey))
        var s = Array(sig[32...]), carry = 0
        for i in 0..<32 {
            let sum = Int(s[i]) + Int(Scalar.order[i]) + carry
            s[i] = UInt8(sum & 0xff)
            carry = sum >> 8
        }
        #expect(carry == 0, "S + L still fits 32 bytes for this vector")
        #expect(!Ed25519.verify(Array(sig[..<32]) + s, message: [], publicKey: pub))
        #expect(!Scalar.isCanonical(Scalar.order.map { UInt8($0) }))
        #expect(Scalar.isCanonical(Array(sig[32...])))
    }

    /// The eight points of small order (and their non-canonical twins) are never a usable key:
    /// with the identity as key, R = [S]B "verifies" for every message.
    @Test func smallOrderKeysAreRefused() throws {
        let smallOrder = [
            "0100000000000000000000000000000000000000000000000000000000000000",   // identity
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",   // order 2
            "0000000000000000000000000000000000000000000000000000000000000000",   // order 4
            "0000000000000000000000000000000000000000000000000000000000000080",
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",   // order 8
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
            "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
            "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
        ]
        for hex in smallOrder {
            let key = try #require(Hex.decode(hex))
            #expect(Ed25519.publicKeyProblem(key) != nil, "\(hex)")
        }
        // The forgery the refusal prevents: identity key, R = [S]B, any message.
        let identity = try #require(Hex.decode(smallOrder[0]))
        var s = [UInt8](repeating: 0, count: 32)
        s[0] = 7
        let forged = Point.base.multiplied(by: s).encoded + s
        #expect(!Ed25519.verify(forged, message: Array("any message".utf8), publicKey: identity))
    }

    @Test func nonCanonicalEncodingsAreRefused() throws {
        // y = p (encodes 0 non-canonically) and y = p + 1 (non-canonical 1): not accepted as keys.
        let yIsP = try #require(Hex.decode("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"))
        let yIsPPlus1 = try #require(Hex.decode("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"))
        #expect(Point(decoding: yIsP) == nil)
        #expect(Point(decoding: yIsPPlus1) == nil)
        // A y whose x² is not a square: no point at all.
        var noPoint = [UInt8](repeating: 0, count: 32)
        noPoint[0] = 2
        #expect(Point(decoding: noPoint) == nil)
    }

    @Test func fieldArithmetic() {
        let i = FieldElement.sqrtMinusOne
        #expect((i * i).bytes == (-FieldElement.one).bytes)
        let x = FieldElement(123_456_789)
        #expect((x * x.inverse).bytes == FieldElement.one.bytes)
        #expect(Point.base.multiplied(by: Scalar.order.map { UInt8($0) }).encoded == Point.identity.encoded, "[L]B is the identity")
    }

    @Test func signaturesOfGeneratedKeys() {
        var rng = SplitMix64(seed: 8032)
        for n in 0..<20 {
            let seed = (0..<32).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let message = (0..<n * 13).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let pub = Ed25519.publicKey(seed: seed)
            #expect(Ed25519.publicKeyProblem(pub) == nil)
            #expect(Ed25519.verify(Ed25519.sign(message, seed: seed), message: message, publicKey: pub))
        }
    }
}
