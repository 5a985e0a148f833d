# -*- encoding: utf-8 -*-

Gem::Specification.new do |s|
  s.name = %q{rack}
  s.version = "1.0.0"

  s.required_rubygems_version = Gem::Requirement.new(">= 0") if s.respond_to? :required_rubygems_version=
  s.authors = ["Christian Neukirchen"]
  s.date = %q{2009-04-25}
  s.description = %q{Rack provides a minimal, modular and adaptable interface for developing
web applications in Ruby.}
  s.email = %q{chneukirchen@gmail.com}
  s.homepage = %q{http://rack.rubyforge.org}
  s.platform = Gem::Platform.new(["universal", "java", nil])
  s.require_paths = ["lib"]
  s.rubygems_version = %q{1.3.1}
  s.summary = %q{a modular Ruby webserver interface}

  if s.respond_to? :specification_version then
    current_version = Gem::Specification::CURRENT_SPECIFICATION_VERSION
    s.specification_version = 2

    if Gem::Version.new(Gem::RubyGemsVersion) >= Gem::Version.new('1.2.0') then
      s.add_development_dependency(%q<test-spec>, [">= 0"])
    else
      s.add_dependency(%q<test-spec>, [">= 0"])
    end
  end
end
